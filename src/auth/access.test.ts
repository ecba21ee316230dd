// config.access enforcement for every kind of route, including permission routes (the role check itself is
// the teams slice's; here: no session → 401, password stage → 401/403, never reaching the handler).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { createUser } from './create-user.js';
import { GOOD_PASSWORD, signedInUser, startAuthHarness, TestBrowser, uniqueEmail, type AuthHarness } from './test-support.js';

const ORG = '7d3c4a10-1111-4a2b-9c3d-0123456789ab';

describe('route access levels', () => {
  let t: TestDatabase;
  let h: AuthHarness;
  const reached: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    const probes = async (app: FastifyInstance) => {
      const q = { querystring: Type.Object({}) };
      app.get('/api/test/public', { schema: q, config: { access: 'public', rateLimit: 'read' , noResponseSchema: 'a test route' } }, async () => (reached.push('public'), { ok: true }));
      app.get('/api/test/session', { schema: q, config: { access: 'session', rateLimit: 'read' , noResponseSchema: 'a test route' } }, async () => (reached.push('session'), { ok: true }));
      app.get('/api/test/user', { schema: q, config: { access: 'user', rateLimit: 'read' , noResponseSchema: 'a test route' } }, async () => (reached.push('user'), { ok: true }));
      app.post(
        '/api/orgs/:orgId/test',
        { schema: { ...q, params: Type.Object({ orgId: Type.String() }), body: Type.Object({}) }, config: { access: 'dashboards.read', rateLimit: 'read' , noResponseSchema: 'a test route' } },
        async () => (reached.push('permission'), { ok: true }),
      );
    };
    h = await startAuthHarness(t.db, {}, [probes]);
  });
  afterAll(async () => {
    await h?.close();
    await t?.dispose();
  });

  it('without a session: public only, 401 elsewhere', async () => {
    reached.length = 0;
    const b = new TestBrowser(h.server);
    expect((await b.request('GET', '/api/test/public')).statusCode).toBe(200);
    expect((await b.request('GET', '/api/test/session')).statusCode).toBe(401);
    expect((await b.request('GET', '/api/test/user')).statusCode).toBe(401);
    expect((await b.post(`/api/orgs/${ORG}/test`)).statusCode).toBe(401);
    expect(reached).toEqual(['public']);
  });

  it('password stage without 2FA: session routes, and 403 "enrol two-factor authentication first" (code totp_enrolment_required) on user and permission routes', async () => {
    reached.length = 0;
    const email = uniqueEmail();
    await createUser(h.deps, { email, name: 'Not Enrolled', password: GOOD_PASSWORD });
    const b = new TestBrowser(h.server);
    await b.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    expect((await b.request('GET', '/api/test/session')).statusCode).toBe(200);
    for (const res of [await b.request('GET', '/api/test/user'), await b.post(`/api/orgs/${ORG}/test`)]) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ detail: 'enrol two-factor authentication first', code: 'totp_enrolment_required' });
    }
    expect(reached).toEqual(['session']);
  });

  it('password stage with 2FA enrolled: 401 (code totp_required) until the code is given', async () => {
    const u = await signedInUser(h);
    const b = new TestBrowser(h.server, '192.0.2.33');
    await b.post('/api/auth/login', { email: u.email, password: GOOD_PASSWORD });
    reached.length = 0;
    const res = await b.request('GET', '/api/test/user');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ detail: 'enter your two-factor code first', code: 'totp_required' });
    const post = await b.post(`/api/orgs/${ORG}/test`);
    expect(post.statusCode).toBe(401);
    expect(post.json()).toMatchObject({ code: 'totp_required' });
    expect(reached).toEqual([]);
  });

  it('fully signed in: user and permission routes reach their handlers (the role check is the teams hook\'s)', async () => {
    const u = await signedInUser(h);
    reached.length = 0;
    expect((await u.browser.request('GET', '/api/test/user')).statusCode).toBe(200);
    expect((await u.browser.post(`/api/orgs/${ORG}/test`)).statusCode).toBe(200);
    expect(reached).toEqual(['user', 'permission']);
  });
});
