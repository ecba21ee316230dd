// fetch wrapper for the Mowt JSON API: same-origin cookies, the CSRF token on every state-changing
// request, JSON in and out, and every failure turned into an ApiError.
import { ApiError, apiErrorFromResponse, networkError } from './problem.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Options of a read. `background`: the page polls by itself, so the server does not count it as activity. */
export interface ReadOptions {
  background?: boolean;
}

export interface ApiClient {
  get<T>(path: string, opts?: ReadOptions): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body?: unknown): Promise<T>;
  /** DELETE; a body (e.g. a typed confirmation) is sent as JSON when given. */
  delete<T>(path: string, body?: unknown): Promise<T>;
  /** Forget the cached CSRF token, e.g. after the session changed (sign-in, sign-out). */
  resetCsrf(): void;
}

export const CSRF_PATH = '/api/auth/csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
/** Marks a read the page made by itself (src/auth/sessions.ts BACKGROUND_HEADER): not the user's activity. */
export const BACKGROUND_HEADER = 'X-Mowt-Background';

const STATE_CHANGING = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A 403 caused by a missing/stale CSRF token rather than by a permission. */
export function isCsrfProblem(err: ApiError): boolean {
  if (err.status !== 403) return false;
  return /csrf/i.test(`${err.type} ${err.code ?? ''} ${err.title} ${err.detail ?? ''}`);
}

// Requests that change who is signed in; the server may bind the CSRF secret to the session, so the
// token is fetched afresh after them.
function changesSession(path: string): boolean {
  return /^\/api\/(auth\/(login|logout|totp\/|recovery|password\/reset)|setup|invites\/accept)/.test(path);
}

export function createApiClient(options: { fetch?: FetchLike } = {}): ApiClient {
  // Bound so that calling it detached does not throw "Illegal invocation" in browsers.
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let csrf: Promise<string> | null = null;

  async function send(method: Method, path: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(path, { ...init, method, credentials: 'same-origin' });
    } catch {
      throw networkError();
    }
  }

  function csrfToken(): Promise<string> {
    csrf ??= (async () => {
      const res = await send('GET', CSRF_PATH, { headers: { Accept: 'application/json' } });
      if (!res.ok) throw await apiErrorFromResponse(res);
      const body = (await res.json()) as { token?: unknown };
      if (typeof body.token !== 'string' || body.token === '') throw new ApiError(500, { detail: 'The server sent no CSRF token.' });
      return body.token;
    })();
    // A failed fetch must not poison the cache: the next request tries again.
    csrf.catch(() => {
      csrf = null;
    });
    return csrf;
  }

  async function request<T>(method: Method, path: string, body: unknown, retried = false, opts: ReadOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (method === 'GET' && opts.background) headers[BACKGROUND_HEADER] = '1';
    let payload: string | undefined;
    if (method !== 'GET' && !(method === 'DELETE' && body === undefined)) {
      // Always send a JSON object: an empty body with a JSON content type is a 400 in Fastify.
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body ?? {});
    }
    if (STATE_CHANGING.has(method)) headers[CSRF_HEADER] = await csrfToken();

    const res = await send(method, path, { headers, body: payload });
    if (!res.ok) {
      const err = await apiErrorFromResponse(res);
      if (STATE_CHANGING.has(method) && isCsrfProblem(err) && !retried) {
        // The token expired or the session rotated under us: fetch a fresh one and try once more.
        csrf = null;
        return request<T>(method, path, body, true);
      }
      throw err;
    }
    if (STATE_CHANGING.has(method) && changesSession(path)) csrf = null;
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(500, { detail: 'The server sent a response Mowt could not read.' });
    }
  }

  return {
    get: (path, opts) => request('GET', path, undefined, false, opts),
    post: (path, body) => request('POST', path, body),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path, body) => request('DELETE', path, body),
    resetCsrf: () => {
      csrf = null;
    },
  };
}

/** The app's one client. */
export const api = createApiClient();
