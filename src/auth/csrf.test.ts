import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { createUser } from './create-user.js';
import { GOOD_PASSWORD, signedInUser, startAuthHarness, TestBrowser, uniqueEmail, type AuthHarness } from './test-support.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { CsrfTokenSchema } from './auth-schemas.js';

// CSRF is request plumbing, independent of the database engine: one engine is enough here.
describe('CSRF and same-origin checks', () => {
  let t: TestDatabase;
  let h: AuthHarness;
  let webhookCalls = 0;

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    const webhook = async (app: FastifyInstance) => {
      app.post(
        '/api/test/webhook',
        { schema: { querystring: Type.Object({}), body: Type.Object({}) }, config: { access: 'public', rateLimit: 'read', csrf: false , noResponseSchema: 'a test route' } },
        async () => {
          webhookCalls++;
          return { ok: true };
        },
      );
    };
    h = await startAuthHarness(t.db, {}, [webhook]);
  });
  afterAll(async () => {
    await h?.close();
    await t?.dispose();
  });

  const sessionCount = async () => Number((await t.db.owner.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('GET /api/auth/csrf returns a token and sets the __Host- secret cookie', async () => {
    const b = new TestBrowser(h.server);
    const res = await b.request('GET', '/api/auth/csrf');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json() as object)).toEqual(['token']);
    expect(shapeReport(CsrfTokenSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-mowt_csrf='));
    expect(raw).toMatch(/Secure/);
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/Path=\//);
  });

  it('refuses a login without a token, with a wrong token, or with another browser\'s token: 403 and no session', async () => {
    const email = uniqueEmail();
    await createUser(h.deps, { email, name: 'Csrf Victim', password: GOOD_PASSWORD });
    const before = await sessionCount();
    const b = new TestBrowser(h.server);
    const other = new TestBrowser(h.server);
    const cases = [
      await b.post('/api/auth/login', { email, password: GOOD_PASSWORD }, { csrf: false }),
      await b.post('/api/auth/login', { email, password: GOOD_PASSWORD }, { csrf: false, headers: { 'x-csrf-token': 'forged-token' } }),
      await b.post('/api/auth/login', { email, password: GOOD_PASSWORD }, { csrf: false, headers: { 'x-csrf-token': await other.csrf() } }),
    ];
    for (const res of cases) {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(b.sessionToken).toBeUndefined();
    expect(await sessionCount()).toBe(before);
  });

  it('refuses a cross-origin or origin-less state change even with a valid token', async () => {
    const u = await signedInUser(h);
    const before = await sessionCount();
    for (const opts of [{ origin: 'https://evil.example' }, { origin: 'http://mowt.test' }, { origin: null }]) {
      const res = await u.browser.post('/api/auth/logout', {}, opts);
      expect(res.statusCode).toBe(403);
    }
    const crossSite = await u.browser.post('/api/auth/logout', {}, { origin: null, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.statusCode).toBe(403);
    expect(await sessionCount()).toBe(before);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
    // Sec-Fetch-Site: same-origin is accepted when a browser sends no Origin.
    const ok = await u.browser.post('/api/auth/logout', {}, { origin: null, headers: { 'sec-fetch-site': 'same-origin' } });
    expect(ok.statusCode).toBe(200);
  });

  it('protects DELETE too: a session revocation without a token changes nothing', async () => {
    const u = await signedInUser(h);
    const { sessions } = (await u.browser.request('GET', '/api/auth/sessions')).json() as { sessions: { id: string }[] };
    const res = await u.browser.request('DELETE', `/api/auth/sessions/${sessions[0]!.id}`, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
  });

  it('lets routes that verify their own signature opt out (config.csrf = false)', async () => {
    const b = new TestBrowser(h.server);
    const res = await b.post('/api/test/webhook', {}, { csrf: false, origin: null });
    expect(res.statusCode).toBe(200);
    expect(webhookCalls).toBe(1);
  });
});
