import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { createUser } from './create-user.js';
import { SESSION_COOKIE } from './sessions.js';
import { GOOD_PASSWORD, recordingDb, signedInUser, startAuthHarness, TestBrowser, uniqueEmail, type AuthHarness } from './test-support.js';
import { login } from './login.js';
import { totpCodeAt } from './totp.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { LoginAnswerSchema, MeSchema, OkSchema } from './auth-schemas.js';

describe.each(DB_KINDS)('sign-in on %s', (kind) => {
  let t: TestDatabase;
  let h: AuthHarness;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    h = await startAuthHarness(t.db);
  });
  afterAll(async () => {
    await h?.close();
    await t?.dispose();
  });

  it('signs in with password then TOTP, rotating the session token at each step', async () => {
    const u = await signedInUser(h);
    const fresh = new TestBrowser(h.server, '203.0.113.20');
    const login = await fresh.post('/api/auth/login', { email: u.email.toUpperCase(), password: GOOD_PASSWORD });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ next: 'totp' });
    expect(shapeReport(LoginAnswerSchema, login.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const passwordStageToken = fresh.sessionToken;
    expect(passwordStageToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Password stage: only 2FA routes; data routes want the second factor.
    expect((await fresh.request('GET', '/api/me')).statusCode).toBe(401);

    h.clock.advance(30_000);
    const verify = await fresh.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, verify.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect(fresh.sessionToken).not.toBe(passwordStageToken);

    const me = await fresh.request('GET', '/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.json()).toEqual({ user: { id: u.id, email: u.email, name: 'Ada Lovelace', emailVerified: false }, orgs: [] });
    // This harness has no teams slice, so the user belongs to no organisation: `orgs` is checked below.
    expect(shapeReport(MeSchema, me.json())).toEqual({ errors: [], keys: [], unchecked: ['.orgs'] });

    // The old (pre-2FA) token is dead.
    const stale = new TestBrowser(h.server);
    stale.cookies.set(SESSION_COOKIE, passwordStageToken!);
    expect((await stale.request('GET', '/api/auth/sessions')).statusCode).toBe(401);
  });

  it('sets the session cookie with __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const email = uniqueEmail();
    await createUser(h.deps, { email, name: 'Cookie Test', password: GOOD_PASSWORD });
    const b = new TestBrowser(h.server);
    const res = await b.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(raw).toBeDefined();
    expect(raw).toMatch(/; Path=\/(;|$)/);
    expect(raw).toMatch(/; Secure(;|$)/);
    expect(raw).toMatch(/; HttpOnly(;|$)/);
    expect(raw).toMatch(/; SameSite=Lax(;|$)/);
    expect(raw).not.toMatch(/Domain=/i);
    expect(res.json()).toEqual({ next: 'enroll-totp' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('stores only the SHA-256 of the session token', async () => {
    const u = await signedInUser(h);
    const token = u.browser.sessionToken!;
    const rows = await t.db.owner.selectFrom('sessions').select('token_hash').where('user_id', '=', u.id).execute();
    expect(rows).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('answers an unknown address exactly like a wrong password, after the same bcrypt work', async () => {
    const u = await signedInUser(h);
    const b = new TestBrowser(h.server, '198.51.100.7');
    const before = h.hasher.compares;
    const wrong = await b.post('/api/auth/login', { email: u.email, password: 'not the password at all' });
    const afterWrong = h.hasher.compares;
    const unknown = await b.post('/api/auth/login', { email: uniqueEmail('nobody'), password: 'not the password at all' });
    const afterUnknown = h.hasher.compares;
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.headers['content-type']).toBe(wrong.headers['content-type']);
    expect(afterWrong - before).toBe(1);
    expect(afterUnknown - afterWrong).toBe(1);
    const failures = h.audit.events.filter((e) => e.action === 'auth.login' && e.result === 'failure');
    expect(failures.at(-2)).toMatchObject({ userId: u.id, details: { reason: 'wrong-password' } });
    expect(failures.at(-1)).toMatchObject({ userId: null, details: { reason: 'unknown-email' } });
  });

  it('runs the same database statements for a wrong password and an unknown address', async () => {
    const u = await signedInUser(h);
    const { db, kinds } = recordingDb(t.db);
    const deps = { ...h.deps, db };
    const meta = { ip: '198.51.100.8', userAgent: null };
    await expect(login(deps, { email: u.email, password: 'not the password at all' }, meta, null)).rejects.toMatchObject({ status: 401 });
    const known = kinds.splice(0);
    await expect(login(deps, { email: uniqueEmail('nobody'), password: 'not the password at all' }, meta, null)).rejects.toMatchObject({ status: 401 });
    expect(kinds).toEqual(known);
    expect(known).toEqual(['SelectQueryNode']);
  });

  it('GET /api/me lists the organisations listOrgs gives, each exactly as the schema says', async () => {
    const u = await signedInUser(h);
    const orgs = [{ id: '5f0f7a52-64c3-4c1e-9d0b-3c6a7d1e2f40', name: 'Analytical Engines Ltd', role: 'admin' as const }, { id: '0b8e6c4d-2a1f-4e3b-8c7d-6e5f4a3b2c1d', name: 'Difference Co', role: 'viewer' as const }];
    const listOrgs = h.deps.listOrgs;
    // The teams slice's listUserOrgs in the app; a stand-in here, with an extra field the answer must not carry.
    h.deps.listOrgs = async () => orgs.map((o) => ({ ...o, internalNote: 'not for the browser' }));
    try {
      const me = await u.browser.request('GET', '/api/me');
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual({ user: { id: u.id, email: u.email, name: 'Ada Lovelace', emailVerified: false }, orgs });
      expect(shapeReport(MeSchema, me.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    } finally {
      h.deps.listOrgs = listOrgs;
    }
  });

  it('logout ends the session on the server at once', async () => {
    const u = await signedInUser(h);
    const token = u.browser.sessionToken!;
    const out = await u.browser.post('/api/auth/logout');
    expect(out.statusCode).toBe(200);
    expect(out.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, out.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect(u.browser.sessionToken).toBeUndefined();
    const replay = new TestBrowser(h.server);
    replay.cookies.set(SESSION_COOKIE, token);
    expect((await replay.request('GET', '/api/me')).statusCode).toBe(401);
    expect(await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute()).toHaveLength(0);
  });

  it('answers 403 "enrol two-factor authentication first" on data routes until 2FA is set up', async () => {
    const email = uniqueEmail();
    await createUser(h.deps, { email, name: 'No Twofa', password: GOOD_PASSWORD });
    const b = new TestBrowser(h.server);
    await b.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    for (const url of ['/api/me', '/api/auth/sessions']) {
      const res = await b.request('GET', url);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ status: 403, detail: 'enrol two-factor authentication first' });
    }
    expect((await b.post('/api/auth/totp/enroll')).statusCode).toBe(200);
  });
});
