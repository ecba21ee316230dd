import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withoutOrg } from '../db/tenant.js';
import { revokeUserSessions, SESSION_COOKIE } from './sessions.js';
import { GOOD_PASSWORD, signedInUser, startAuthHarness, TestBrowser, uniqueEmail, type AuthHarness } from './test-support.js';
import { totpCodeAt } from './totp.js';
import { useRecoveryCode } from './use-recovery-code.js';
import { confirmTotp } from './confirm-totp.js';
import { createUser } from './create-user.js';
import { verifyTotp } from './verify-totp.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { SessionListSchema } from './auth-schemas.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe.each(DB_KINDS)('sessions on %s', (kind) => {
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

  const lastSeen = async (userId: string) =>
    (await t.db.owner.selectFrom('sessions').select('last_seen_at').where('user_id', '=', userId).executeTakeFirstOrThrow()).last_seen_at;

  it('expires after 7 days without activity', async () => {
    const u = await signedInUser(h);
    h.clock.advance(7 * DAY - MINUTE);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
    h.clock.advance(7 * DAY);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(401);
    expect(await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute()).toHaveLength(0);
  });

  it('slides with activity: used every 6 days it outlives 7 days, and last_seen is written at most once a minute', async () => {
    const u = await signedInUser(h);
    const start = h.clock();
    for (let i = 0; i < 3; i++) {
      h.clock.advance(6 * DAY);
      expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
    }
    expect(h.clock().getTime() - start.getTime()).toBe(18 * DAY);
    const seen = await lastSeen(u.id);
    h.clock.advance(30_000);
    await u.browser.request('GET', '/api/me');
    expect((await lastSeen(u.id)).getTime()).toBe(seen.getTime());
    h.clock.advance(31_000);
    await u.browser.request('GET', '/api/me');
    expect((await lastSeen(u.id)).getTime()).toBe(h.clock().getTime());
  });

  it('does not count a page’s own background reads as activity: polled for 7 days, the session still expires', async () => {
    const u = await signedInUser(h);
    const poll = () => u.browser.request('GET', '/api/me', { headers: { 'x-mowt-background': '1' } });
    for (let i = 0; i < 6; i++) {
      h.clock.advance(DAY);
      expect((await poll()).statusCode).toBe(200);
    }
    h.clock.advance(DAY);
    expect((await poll()).statusCode).toBe(401);
    // The marker means nothing on a change: a state-changing request is always activity.
    const v = await signedInUser(h);
    h.clock.advance(6 * DAY);
    await v.browser.request('POST', '/api/auth/email/resend', { headers: { 'x-mowt-background': '1' } });
    h.clock.advance(2 * DAY);
    expect((await v.browser.request('GET', '/api/me')).statusCode).toBe(200);
  });

  it('ends after 30 days in all, however active, and 2FA rotation does not extend it', async () => {
    const u = await signedInUser(h);
    for (let i = 0; i < 4; i++) {
      h.clock.advance(7 * DAY - MINUTE);
      expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
    }
    h.clock.advance(2 * DAY + 4 * MINUTE);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(401);
  });

  it('lists own sessions and revokes one; the revoked browser is signed out on its next request', async () => {
    const u = await signedInUser(h);
    const laptop = new TestBrowser(h.server, '192.0.2.55');
    await laptop.post('/api/auth/login', { email: u.email, password: GOOD_PASSWORD });
    h.clock.advance(30_000);
    await laptop.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) });
    expect((await laptop.request('GET', '/api/me')).statusCode).toBe(200);

    const list = await u.browser.request('GET', '/api/auth/sessions');
    expect(list.statusCode).toBe(200);
    expect(shapeReport(SessionListSchema, list.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const { sessions } = list.json() as { sessions: { id: string; current: boolean; ip: string }[] };
    expect(sessions).toHaveLength(2);
    // The fields named here too, not only by the schema: a field dropped from the schema would vanish from both.
    for (const s of sessions) expect(s).toEqual({ id: expect.any(String), createdAt: expect.any(String), lastSeenAt: expect.any(String), ip: expect.any(String), userAgent: 'test-browser', current: expect.any(Boolean) });
    const other = sessions.find((s) => !s.current)!;
    expect(other.ip).toBe('192.0.2.55');

    const del = await u.browser.request('DELETE', `/api/auth/sessions/${other.id}`);
    expect(del.statusCode).toBe(204);
    expect((await laptop.request('GET', '/api/me')).statusCode).toBe(401);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
    expect(h.audit.events.at(-1)).toMatchObject({ action: 'auth.session.revoke', userId: u.id, target: other.id });
  });

  it("cannot revoke someone else's session (404, and it keeps working)", async () => {
    const a = await signedInUser(h);
    const b = await signedInUser(h);
    const bSession = await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', b.id).executeTakeFirstOrThrow();
    const res = await a.browser.request('DELETE', `/api/auth/sessions/${bSession.id}`);
    expect(res.statusCode).toBe(404);
    expect((await b.browser.request('GET', '/api/me')).statusCode).toBe(200);
  });

  it('revokeUserSessions (member removal, role change) signs the user out on the very next request', async () => {
    const u = await signedInUser(h);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
    expect(await revokeUserSessions(t.db, u.id)).toBe(1);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(401);

    // Also inside a caller's transaction.
    const v = await signedInUser(h);
    await withoutOrg(t.db, (tx) => revokeUserSessions(tx, v.id));
    expect((await v.browser.request('GET', '/api/me')).statusCode).toBe(401);
  });

  it('a session still waiting for its second factor lapses after 15 idle minutes', async () => {
    const u = await signedInUser(h);
    const b = new TestBrowser(h.server, '192.0.2.91');
    await b.post('/api/auth/login', { email: u.email, password: GOOD_PASSWORD });
    h.clock.advance(15 * MINUTE);
    const res = await b.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ detail: 'sign in first' });
  });

  it('a session revoked while its second factor is being checked is not revived as a full one', async () => {
    const u = await signedInUser(h);
    const b = new TestBrowser(h.server, '192.0.2.92');
    await b.post('/api/auth/login', { email: u.email, password: GOOD_PASSWORD });
    const pending = await t.db.owner
      .selectFrom('sessions')
      .select(['id', 'created_at'])
      .where('user_id', '=', u.id)
      .where('stage', '=', 'password')
      .executeTakeFirstOrThrow();
    const session = { id: pending.id, userId: u.id, createdAt: pending.created_at, stage: 'password' as const };
    // The request has loaded its session; then the owner signs every device out (a password reset, say).
    await revokeUserSessions(t.db, u.id);
    h.clock.advance(MINUTE);
    const meta = { ip: '192.0.2.92', userAgent: null };
    await expect(verifyTotp(h.deps, session, totpCodeAt(u.secret, h.clock()), meta)).rejects.toMatchObject({ status: 401 });
    await expect(useRecoveryCode(h.deps, session, u.recoveryCodes[0]!, meta)).rejects.toMatchObject({ status: 401 });
    const left = await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute();
    expect(left).toEqual([]);

    // Enrolment confirmed through a revoked session: no full session, and 2FA stays pending.
    const email = uniqueEmail('enrol-race');
    const { id } = await createUser(h.deps, { email, name: 'Enrol Race', password: GOOD_PASSWORD });
    const e = new TestBrowser(h.server, '192.0.2.93');
    await e.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    const { secret } = (await e.post('/api/auth/totp/enroll')).json() as { secret: string };
    const row = await t.db.owner.selectFrom('sessions').select(['id', 'created_at']).where('user_id', '=', id).executeTakeFirstOrThrow();
    await revokeUserSessions(t.db, id);
    await expect(confirmTotp(h.deps, { id: row.id, userId: id, createdAt: row.created_at }, totpCodeAt(secret, h.clock()), meta)).rejects.toMatchObject({ status: 401 });
    expect(await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', id).execute()).toEqual([]);
    const totp = await t.db.owner.selectFrom('user_totp').select('confirmed_at').where('user_id', '=', id).executeTakeFirstOrThrow();
    expect(totp.confirmed_at).toBeNull();
  });

  it('ignores a forged or malformed cookie and clears it', async () => {
    const b = new TestBrowser(h.server);
    b.cookies.set(SESSION_COOKIE, 'A'.repeat(43));
    const res = await b.request('GET', '/api/me');
    expect(res.statusCode).toBe(401);
    expect(b.sessionToken).toBeUndefined();
  });
});
