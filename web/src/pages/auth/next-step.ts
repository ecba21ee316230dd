import { ENROL_2FA, VERIFY_2FA, safeReturnPath } from '../../app/auth-redirect.js';

/** Where to go after a step of the sign-in flow that may answer `{ next }`. */
export function pathForNext(next: unknown, returnTo: string | null, fallback: string): string {
  const carry = safeReturnPath(returnTo);
  const suffix = carry ? `?next=${encodeURIComponent(carry)}` : '';
  if (next === 'totp') return VERIFY_2FA + suffix;
  if (next === 'enroll-totp') return ENROL_2FA + suffix;
  return fallback;
}

export function nextOf(response: unknown): unknown {
  return typeof response === 'object' && response !== null ? (response as { next?: unknown }).next : undefined;
}

export const PASSWORD_HINT = 'At least 12 characters. Avoid common passwords and anything containing your email or organisation name.';
