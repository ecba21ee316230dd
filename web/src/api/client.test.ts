import { describe, expect, it } from 'vitest';
import { BACKGROUND_HEADER, CSRF_HEADER, createApiClient } from './client.js';
import { ApiError } from './problem.js';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  credentials: RequestCredentials | undefined;
}

const problemResponse = (status: number, body: object) =>
  new Response(JSON.stringify({ type: 'about:blank', status, ...body }), { status, headers: { 'content-type': 'application/problem+json' } });
const jsonResponse = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fetch that records calls and answers from a queue of handlers (CSRF requests answered separately). */
function fakeFetch(answers: ((call: Call) => Response)[], csrfTokens = ['tok-1', 'tok-2', 'tok-3']) {
  const calls: Call[] = [];
  let csrfIndex = 0;
  const fetch = async (url: string, init: RequestInit = {}) => {
    const call: Call = {
      url,
      method: init.method ?? 'GET',
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body as string | undefined,
      credentials: init.credentials,
    };
    calls.push(call);
    if (url === '/api/auth/csrf') return jsonResponse({ token: csrfTokens[csrfIndex++] });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${call.method} ${url}`);
    return next(call);
  };
  return { fetch, calls };
}

describe('api client', () => {
  it('sends same-origin credentials and no CSRF token on GET', async () => {
    const { fetch, calls } = fakeFetch([() => jsonResponse({ user: { id: 'u' } })]);
    const api = createApiClient({ fetch });
    await expect(api.get('/api/me')).resolves.toEqual({ user: { id: 'u' } });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.credentials).toBe('same-origin');
    expect(calls[0]?.headers[CSRF_HEADER]).toBeUndefined();
  });

  it('marks only the reads the page makes by itself as background (the server does not count them as activity)', async () => {
    const ok = () => jsonResponse({ ok: true });
    const { fetch, calls } = fakeFetch([ok, ok]);
    const api = createApiClient({ fetch });
    await api.get('/api/orgs/o/metrics/status', { background: true });
    await api.get('/api/orgs/o/metrics/status');
    expect(calls.map((c) => c.headers[BACKGROUND_HEADER])).toEqual(['1', undefined]);
  });

  it('fetches the CSRF token once and sends it on every state-changing method', async () => {
    const ok = () => jsonResponse({ ok: true });
    const { fetch, calls } = fakeFetch([ok, ok, ok, () => new Response(null, { status: 204 })]);
    const api = createApiClient({ fetch });
    await api.post('/api/orgs/o/invites', { email: 'a@b.c', role: 'viewer' });
    await api.patch('/api/orgs/o/members/u', { role: 'member' });
    await api.put('/api/orgs/o/settings', { name: 'x' });
    await expect(api.delete('/api/orgs/o/invites/i')).resolves.toBeUndefined();
    const writes = calls.filter((c) => c.url !== '/api/auth/csrf');
    expect(calls.filter((c) => c.url === '/api/auth/csrf')).toHaveLength(1);
    expect(writes.map((c) => [c.method, c.headers[CSRF_HEADER]])).toEqual([
      ['POST', 'tok-1'],
      ['PATCH', 'tok-1'],
      ['PUT', 'tok-1'],
      ['DELETE', 'tok-1'],
    ]);
    expect(writes[0]?.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(writes[0]?.body ?? '')).toEqual({ email: 'a@b.c', role: 'viewer' });
    // DELETE carries no body, so no JSON content type either (Fastify refuses an empty JSON body).
    expect(writes[3]?.headers['Content-Type']).toBeUndefined();
    expect(writes[3]?.body).toBeUndefined();
  });

  it('sends an empty JSON object when a POST has no payload', async () => {
    const { fetch, calls } = fakeFetch([() => jsonResponse({ ok: true })]);
    await createApiClient({ fetch }).post('/api/auth/logout');
    expect(calls[1]?.body).toBe('{}');
  });

  it('refetches the token and retries once when the server refuses it as a CSRF failure', async () => {
    const { fetch, calls } = fakeFetch([
      () => problemResponse(403, { title: 'Forbidden', detail: 'Invalid csrf token' }),
      () => jsonResponse({ ok: true }),
    ]);
    const api = createApiClient({ fetch });
    await expect(api.post('/api/orgs/o/invites', {})).resolves.toEqual({ ok: true });
    expect(calls.map((c) => `${c.method} ${c.url} ${c.headers[CSRF_HEADER] ?? ''}`.trim())).toEqual([
      'GET /api/auth/csrf',
      'POST /api/orgs/o/invites tok-1',
      'GET /api/auth/csrf',
      'POST /api/orgs/o/invites tok-2',
    ]);
  });

  it('does not retry a permission 403, and does not loop on a second CSRF failure', async () => {
    const { fetch, calls } = fakeFetch([() => problemResponse(403, { title: 'Forbidden', detail: 'your role does not allow this' })]);
    const err = await createApiClient({ fetch }).post('/api/orgs/o/invites', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(2);

    const twice = fakeFetch([
      () => problemResponse(403, { detail: 'Invalid csrf token' }),
      () => problemResponse(403, { detail: 'Invalid csrf token' }),
    ]);
    await expect(createApiClient({ fetch: twice.fetch }).post('/x', {})).rejects.toMatchObject({ status: 403 });
    expect(twice.calls).toHaveLength(4);
  });

  it('takes a fresh token after the session changes (sign-in)', async () => {
    const ok = () => jsonResponse({ next: 'totp' });
    const { fetch, calls } = fakeFetch([ok, ok]);
    const api = createApiClient({ fetch });
    await api.post('/api/auth/login', { email: 'a', password: 'b' });
    await api.post('/api/auth/totp/verify', { code: '123456' });
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.headers[CSRF_HEADER])).toEqual(['tok-1', 'tok-2']);
  });

  it('turns problem+json into an ApiError with field errors', async () => {
    const { fetch } = fakeFetch([
      () =>
        problemResponse(400, {
          title: 'Bad Request',
          detail: 'body: password must NOT have fewer than 12 characters',
          errors: [{ field: 'password', message: 'must NOT have fewer than 12 characters' }],
        }),
    ]);
    const err = (await createApiClient({ fetch }).post('/api/setup', {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.fieldErrors()).toEqual({ password: 'Must be at least 12 characters.' });
  });

  it('reports an unreachable server as a network error (status 0), and a failed CSRF fetch is retried next time', async () => {
    let fail = true;
    const fetch = async (url: string) => {
      if (fail) throw new TypeError('Failed to fetch');
      return url === '/api/auth/csrf' ? jsonResponse({ token: 't' }) : jsonResponse({ ok: true });
    };
    const api = createApiClient({ fetch });
    await expect(api.post('/api/auth/logout')).rejects.toMatchObject({ status: 0 });
    fail = false;
    await expect(api.post('/api/auth/logout')).resolves.toEqual({ ok: true });
  });
});
