// Where a failed request should send the person: to sign in (401), to finish two-factor sign-in, or to
// enrol an authenticator (the server answers 403 to everything else until 2FA is set up).
import { ApiError, PROBLEM_CODES } from '../api/problem.js';

export const SIGN_IN = '/sign-in';
export const VERIFY_2FA = '/sign-in/totp';
export const ENROL_2FA = '/sign-in/enrol';

// Fallback for problems without a code (the e2e fake API answers with the wording only).
const SECOND_FACTOR = /(2fa|totp|two[- ]factor|second factor|mfa|authenticator)/i;
const ENROL = /(enrol|enroll|set ?up|not (yet )?(set|configured|enabled))/i;

function problemText(err: ApiError): string {
  return `${err.type} ${err.title} ${err.detail ?? ''}`;
}

export function needsTotpEnrolment(err: ApiError): boolean {
  if (err.code !== undefined) return err.code === PROBLEM_CODES.totpEnrolmentRequired;
  const text = problemText(err);
  return (err.status === 403 || err.status === 401) && SECOND_FACTOR.test(text) && ENROL.test(text);
}

export function needsTotpVerification(err: ApiError): boolean {
  if (err.code !== undefined) return err.code === PROBLEM_CODES.totpRequired;
  const text = problemText(err);
  return (err.status === 401 || err.status === 403) && SECOND_FACTOR.test(text) && !ENROL.test(text);
}

/** Only same-site paths survive as a return address, never another origin ("//evil", "https://…"). */
export function safeReturnPath(value: string | null | undefined): string | undefined {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  return value;
}

export function signInPath(returnTo?: string): string {
  const safe = safeReturnPath(returnTo);
  return safe && safe !== '/' && !safe.startsWith(SIGN_IN) ? `${SIGN_IN}?next=${encodeURIComponent(safe)}` : SIGN_IN;
}

/** The path to go to for this error, or undefined when the page should show the error itself. */
export function redirectForError(err: unknown, currentPath: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  if (needsTotpEnrolment(err)) return currentPath.startsWith(ENROL_2FA) ? undefined : ENROL_2FA;
  if (needsTotpVerification(err)) return currentPath.startsWith(VERIFY_2FA) ? undefined : VERIFY_2FA;
  if (err.status === 401) return currentPath.startsWith(SIGN_IN) ? undefined : signInPath(currentPath);
  return undefined;
}
