// What must never leave for an error tracker: email addresses, API tokens, session ids, cookies,
// authorization headers, Stripe keys and webhook secrets, request bodies. Pure functions over plain data, so
// every event and breadcrumb passes through the same rules (src/ops/sentry.ts) and tests can call them.

const PATTERNS: [RegExp, string][] = [
  // Stripe secret/restricted/publishable keys, webhook secrets, OAuth client secrets and access tokens.
  [/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g, '[stripe-key]'],
  [/\bwhsec_[A-Za-z0-9+/=_-]{8,}/g, '[stripe-webhook-secret]'],
  // Mowt API tokens.
  [/\bmowt_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}/g, '[api-token]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // Cookie pairs (session and CSRF ids) wherever they appear in text.
  [/(__Host-mowt_[a-z]+|mowt_[a-z]+)=[^;\s"']+/g, '$1=[redacted]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  // Long opaque strings: session tokens, reset links, hashes of secrets (uuids are 36 chars and stay).
  [/[A-Za-z0-9_-]{40,}/g, '[secret]'],
];

const SENSITIVE_KEY = /pass(word)?|secret|token|authori[sz]ation|cookie|session|csrf|e-?mail|api[-_]?key|dsn|signature|code|^ip(_address)?$|body|data$/i;

export function scrubString(s: string): string {
  let out = s;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Deep copy with sensitive keys dropped to '[Filtered]' and every string scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (depth > 12) return '[Filtered]';
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SENSITIVE_KEY.test(k) && v !== null && v !== undefined ? '[Filtered]' : scrubValue(v, depth + 1);
    }
    return out;
  }
  return value;
}

interface EventLike {
  request?: { url?: string; query_string?: unknown; headers?: Record<string, string>; cookies?: unknown; data?: unknown; env?: unknown };
  user?: Record<string, unknown>;
  exception?: { values?: { value?: string; type?: string; stacktrace?: { frames?: { vars?: unknown }[] } }[] };
  message?: string;
  breadcrumbs?: unknown[];
  extra?: unknown;
  contexts?: unknown;
  tags?: unknown;
  logentry?: { message?: string; params?: unknown[] };
  [key: string]: unknown;
}

const HEADER_ALLOW = new Set(['user-agent', 'content-type', 'accept', 'content-length', 'host']);

/** The event as it may leave: no bodies, cookies, credentials, addresses or secrets. */
export function scrubEvent<E extends object>(event: E): E {
  const e = { ...event } as EventLike;
  if (e.request) {
    const r = e.request;
    e.request = {
      // Paths only: query strings can carry tokens.
      ...(r.url ? { url: scrubString(r.url.split('?')[0] ?? '') } : {}),
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => HEADER_ALLOW.has(k.toLowerCase())).map(([k, v]) => [k, scrubString(String(v))])) } : {}),
    };
  }
  if (e.user) e.user = typeof e.user.id === 'string' ? { id: e.user.id } : {};
  if (e.exception?.values) {
    e.exception = {
      ...e.exception,
      values: e.exception.values.map((v) => ({
        ...v,
        ...(v.value !== undefined ? { value: scrubString(v.value) } : {}),
        ...(v.stacktrace?.frames ? { stacktrace: { ...v.stacktrace, frames: v.stacktrace.frames.map(({ vars: _vars, ...f }) => f) } } : {}),
      })),
    };
  }
  if (typeof e.message === 'string') e.message = scrubString(e.message);
  if (e.logentry) e.logentry = scrubValue(e.logentry) as EventLike['logentry'];
  if (e.breadcrumbs) e.breadcrumbs = e.breadcrumbs.map((b) => scrubBreadcrumb(b as Record<string, unknown>));
  for (const key of ['extra', 'contexts', 'tags'] as const) if (e[key] !== undefined) e[key] = scrubValue(e[key]);
  return e as E;
}

export function scrubBreadcrumb<B extends Record<string, unknown>>(crumb: B): B {
  const out: Record<string, unknown> = { ...crumb };
  if (typeof out.message === 'string') out.message = scrubString(out.message);
  if (out.data !== undefined) {
    // HTTP breadcrumbs: keep method and status, scrub the URL down to its path, drop everything else.
    const d = out.data as Record<string, unknown>;
    out.data = {
      ...(typeof d.method === 'string' ? { method: d.method } : {}),
      ...(typeof d.status_code === 'number' ? { status_code: d.status_code } : {}),
      ...(typeof d.url === 'string' ? { url: scrubString(d.url.split('?')[0] ?? '') } : {}),
    };
  }
  return out as B;
}
