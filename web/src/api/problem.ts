// The one error type the web app deals with. The server answers every failure with RFC 9457
// application/problem+json; this module turns that (or a network failure) into an ApiError whose
// messages are safe and plain enough to show to people.

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
  /** Some problems carry a machine-readable code next to the RFC fields. */
  code?: string;
}

/** Stable `code` members the server puts on problems the app acts on; the detail text is for people. */
export const PROBLEM_CODES = {
  /** 403 until an authenticator is enrolled. */
  totpEnrolmentRequired: 'totp_enrolment_required',
  /** 401 while a session has given its password but not yet its two-factor code. */
  totpRequired: 'totp_required',
  /** 403 on sensitive actions without a re-authentication in the last 10 minutes. */
  sudoRequired: 'sudo_required',
} as const;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly code: string | undefined;
  readonly errors: FieldError[];

  constructor(status: number, body: ProblemBody = {}) {
    const title = body.title ?? defaultTitle(status);
    super(body.detail ?? title);
    this.status = status;
    this.type = body.type ?? 'about:blank';
    this.title = title;
    this.detail = body.detail;
    this.code = body.code;
    this.errors = body.errors ?? [];
  }

  /** Field errors keyed by the form field they belong to (the last segment of a dotted path). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const key = fieldKey(e.field);
      // Keep the first message per field: it is usually the most basic one (missing before malformed).
      out[key] ??= humaniseFieldMessage(e.message);
    }
    return out;
  }
}

/** A network failure (server unreachable, connection reset) has no HTTP status; we use 0. */
export function networkError(): ApiError {
  return new ApiError(0, {
    title: 'Network error',
    detail: 'Mowt could not be reached. Check your connection and try again.',
  });
}

export async function apiErrorFromResponse(res: Response): Promise<ApiError> {
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType.includes('json')) {
    try {
      return new ApiError(res.status, sanitiseProblem(await res.json()));
    } catch {
      // A malformed error body is no reason to hide the status from the person.
    }
  }
  return new ApiError(res.status);
}

export function sanitiseProblem(raw: unknown): ProblemBody {
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const errors = Array.isArray(r.errors)
    ? r.errors.flatMap((e): FieldError[] => {
        if (typeof e !== 'object' || e === null) return [];
        const { field, message } = e as Record<string, unknown>;
        return typeof field === 'string' && typeof message === 'string' ? [{ field, message }] : [];
      })
    : undefined;
  return {
    type: str(r.type),
    title: str(r.title),
    status: typeof r.status === 'number' ? r.status : undefined,
    detail: str(r.detail),
    code: str(r.code),
    errors,
  };
}

function fieldKey(field: string): string {
  const parts = field.split(/[./]/).filter(Boolean);
  return parts[parts.length - 1] ?? field;
}

/**
 * Schema validators speak in JSON-Schema terms ("must NOT have fewer than 12 characters"); people should
 * read "Must be at least 12 characters." Unknown messages pass through, capitalised.
 */
export function humaniseFieldMessage(message: string): string {
  const m = message.trim();
  let out = m;
  let match: RegExpMatchArray | null;
  if ((match = m.match(/^must NOT have fewer than (\d+) characters?$/i))) out = `Must be at least ${match[1]} characters`;
  else if ((match = m.match(/^must NOT have more than (\d+) characters?$/i))) out = `Must be at most ${match[1]} characters`;
  else if (/^must have required property/i.test(m)) out = 'Required';
  else if (/^must match format "email"$/i.test(m)) out = 'Enter a valid email address';
  else if (/^must match pattern/i.test(m)) out = 'Is not in the expected format';
  else if (/^must be equal to one of the allowed values$/i.test(m)) out = 'Choose one of the options';
  else if (/^is not allowed$/i.test(m)) out = 'Is not accepted here';
  out = out.charAt(0).toUpperCase() + out.slice(1);
  return /[.!?]$/.test(out) ? out : `${out}.`;
}

/** A sentence for the person in front of the screen, from any error a request can end with. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return err.detail ?? 'Mowt could not be reached.';
    if (err.status === 429) return err.detail ?? 'Too many attempts. Wait a few minutes and try again.';
    if (err.status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
    if (err.errors.length > 0 && !err.detail) return 'Some fields need attention.';
    return err.detail ?? err.title;
  }
  return 'Something unexpected happened. Please reload the page and try again.';
}

function defaultTitle(status: number): string {
  switch (status) {
    case 0:
      return 'Network error';
    case 400:
      return 'Some details are not valid.';
    case 401:
      return 'Please sign in.';
    case 403:
      return 'You don’t have permission to do that.';
    case 404:
      return 'Not found.';
    case 409:
      return 'That conflicts with something that already exists.';
    case 429:
      return 'Too many attempts. Wait a few minutes and try again.';
    default:
      return status >= 500 ? 'Something went wrong on our side.' : `Request failed (${status}).`;
  }
}
