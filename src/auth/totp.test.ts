import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { hashRecoveryCode } from './recovery-codes.js';
import { checkRecoveryCode, checkTotpCode } from './second-factor.js';
import { GOOD_PASSWORD, signedInUser, startAuthHarness, TestBrowser, type AuthHarness } from './test-support.js';
import { matchTotpStep, newTotpSecret, timeStep, totpCodeAt } from './totp.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { OkSchema, RecoveryCodesSchema, TotpEnrolmentSchema } from './auth-schemas.js';

describe('TOTP codes (RFC 6238)', () => {
  it('accepts the current step and one step either side, nothing further', () => {
    const secret = newTotpSecret();
    const now = new Date('2026-03-02T09:00:10Z');
    const at = (s: number) => new Date(now.getTime() + s * 30_000);
    expect(matchTotpStep(secret, totpCodeAt(secret, now), now)).toBe(timeStep(now));
    expect(matchTotpStep(secret, totpCodeAt(secret, at(-1)), now)).toBe(timeStep(now) - 1);
    expect(matchTotpStep(secret, totpCodeAt(secret, at(1)), now)).toBe(timeStep(now) + 1);
    expect(matchTotpStep(secret, totpCodeAt(secret, at(-2)), now)).toBeNull();
    expect(matchTotpStep(secret, totpCodeAt(secret, at(2)), now)).toBeNull();
    expect(matchTotpStep(secret, 'abcdef', now)).toBeNull();
  });

  it('matches the RFC 6238 SHA1 test vector (6 digits)', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T=59 s → 94287082 (8 digits), last 6: 287082.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCodeAt(secret, new Date(59_000))).toBe('287082');
  });
});

describe.each(DB_KINDS)('two-factor authentication on %s', (kind) => {
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

  async function passwordStage(email: string, ip = '203.0.113.99') {
    const b = new TestBrowser(h.server, ip);
    const res = await b.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(res.json()).toEqual({ next: 'totp' });
    return b;
  }

  it('enrolment gives the secret, an otpauth URI (issuer Mowt) and an SVG QR code; the secret is encrypted at rest', async () => {
    const u = await signedInUser(h);
    const row = await t.db.owner.selectFrom('user_totp').selectAll().where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.secret_encrypted).not.toContain(u.secret);
    expect(row.confirmed_at).not.toBeNull();
    expect(h.mail.sent.at(-1)).toMatchObject({ to: u.email, subject: expect.stringMatching(/Two-factor/) });

    const b = new TestBrowser(h.server);
    const email = `enrol.${Date.now()}@example.com`;
    const { createUser } = await import('./create-user.js');
    await createUser(h.deps, { email, name: 'Enrol Er', password: GOOD_PASSWORD });
    await b.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    const enrolled = await b.post('/api/auth/totp/enroll');
    expect(shapeReport(TotpEnrolmentSchema, enrolled.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const enrol = enrolled.json() as { secret: string; otpauthUri: string; qrSvg: string };
    expect(enrol.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrol.otpauthUri).toMatch(/^otpauth:\/\/totp\/Mowt:.+\?/);
    expect(new URL(enrol.otpauthUri).searchParams.get('issuer')).toBe('Mowt');
    expect(new URL(enrol.otpauthUri).searchParams.get('secret')).toBe(enrol.secret);
    expect(enrol.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const confirmed = await b.post('/api/auth/totp/confirm', { code: totpCodeAt(enrol.secret, h.clock()) });
    expect(confirmed.statusCode).toBe(200);
    expect(shapeReport(RecoveryCodesSchema, confirmed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // Enrolling again after confirmation is refused.
    expect((await u.browser.post('/api/auth/totp/enroll')).statusCode).toBe(409);
  });

  it('refuses a replayed code: each code works once', async () => {
    const u = await signedInUser(h);
    h.clock.advance(60_000);
    const code = totpCodeAt(u.secret, h.clock());
    const first = await passwordStage(u.email);
    expect((await first.post('/api/auth/totp/verify', { code })).statusCode).toBe(200);
    const second = await passwordStage(u.email);
    const replay = await second.post('/api/auth/totp/verify', { code });
    expect(replay.statusCode).toBe(401);
    expect((await second.request('GET', '/api/me')).statusCode).toBe(401);
    // An earlier step's code (within ±1) is also refused once a later step was used.
    const earlier = totpCodeAt(u.secret, new Date(h.clock().getTime() - 30_000));
    expect((await second.post('/api/auth/totp/verify', { code: earlier })).statusCode).toBe(401);
    h.clock.advance(30_000);
    expect((await second.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) })).statusCode).toBe(200);
  });

  it('blocks 2FA attempts for 15 minutes after 5 wrong codes, then accepts again', async () => {
    const u = await signedInUser(h);
    const b = await passwordStage(u.email);
    for (let i = 0; i < 5; i++) expect((await b.post('/api/auth/totp/verify', { code: '000000' })).statusCode).toBe(401);
    h.clock.advance(30_000);
    const locked = await b.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Recovery codes are blocked too.
    expect((await b.post('/api/auth/recovery', { code: u.recoveryCodes[0] })).statusCode).toBe(429);
    // The lock is the account's, not the session's: a new sign-in is blocked too…
    const other = await passwordStage(u.email, '192.0.2.42');
    expect((await other.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) })).statusCode).toBe(429);
    // …until 15 minutes have passed (the waiting password-stage session has lapsed meanwhile).
    h.clock.advance(15 * 60_000);
    const later = await passwordStage(u.email, '192.0.2.42');
    expect((await later.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) })).statusCode).toBe(200);
    expect(h.audit.events.filter((e) => e.action === 'auth.totp.verify' && e.userId === u.id).map((e) => e.result)).toEqual([
      'failure', 'failure', 'failure', 'failure', 'failure', 'denied', 'denied', 'success',
    ]);
  });

  it('the lockout holds against concurrent guesses: no more than 5 wrong codes are ever checked', async () => {
    const u = await signedInUser(h);
    h.clock.advance(30_000);
    // Decrypting the secret takes a moment (a key look-up in production): long enough for parallel checks to
    // overlap, so a check that decided on a stale failure count would show.
    const slowCrypto = {
      ...h.deps.crypto,
      decryptSystemField: async (...args: Parameters<typeof h.deps.crypto.decryptSystemField>) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return h.deps.crypto.decryptSystemField(...args);
      },
    };
    const deps = { ...h.deps, crypto: slowCrypto };
    // A burst of wrong codes of both kinds, all in flight at once (as an attacker's parallel requests are).
    const guesses = Array.from({ length: 16 }, (_, i) =>
      i % 2 === 0 ? checkTotpCode(deps, u.id, String(100000 + i)) : checkRecoveryCode(deps, u.id, `aaaa-bbbb-cccc-${String(i).padStart(4, 'd')}`),
    );
    const results = await Promise.all(guesses);
    expect(results.filter((r) => r === 'invalid')).toHaveLength(5);
    expect(results.filter((r) => r === 'locked')).toHaveLength(11);
    expect(await checkTotpCode(h.deps, u.id, totpCodeAt(u.secret, h.clock()))).toBe('locked');
  });

  it('issues 10 recovery codes, stored hashed, each usable once instead of a TOTP code', async () => {
    const u = await signedInUser(h);
    expect(u.recoveryCodes).toHaveLength(10);
    expect(new Set(u.recoveryCodes).size).toBe(10);
    const rows = await t.db.owner.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', u.id).execute();
    expect(rows.map((r) => r.code_hash).sort()).toEqual(u.recoveryCodes.map(hashRecoveryCode).sort());
    expect(JSON.stringify(rows)).not.toContain(u.recoveryCodes[0]);

    const b = await passwordStage(u.email);
    const recovered = await b.post('/api/auth/recovery', { code: u.recoveryCodes[0]!.toUpperCase() });
    expect(recovered.statusCode).toBe(200);
    expect(recovered.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, recovered.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await b.request('GET', '/api/me')).statusCode).toBe(200);
    expect(h.mail.sent.at(-1)?.text).toMatch(/recovery code was used/);

    const again = await passwordStage(u.email);
    expect((await again.post('/api/auth/recovery', { code: u.recoveryCodes[0] })).statusCode).toBe(401);
    expect((await again.post('/api/auth/recovery', { code: u.recoveryCodes[1] })).statusCode).toBe(200);
  });

  it('sudo mode: changing the password needs a re-authentication (password + code) from the last 10 minutes', async () => {
    const u = await signedInUser(h);
    h.clock.advance(11 * 60_000);
    const newPassword = 'another quite long passphrase 77';
    const refused = await u.browser.post('/api/auth/password/change', { password: newPassword });
    expect(refused.statusCode).toBe(403);
    expect((await u.browser.post('/api/auth/reauth', { password: 'wrong password here', code: totpCodeAt(u.secret, h.clock()) })).statusCode).toBe(401);
    const reauth = await u.browser.post('/api/auth/reauth', { password: GOOD_PASSWORD, code: totpCodeAt(u.secret, h.clock()) });
    expect(reauth.statusCode).toBe(200);
    expect(reauth.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, reauth.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const changed = await u.browser.post('/api/auth/password/change', { password: newPassword });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, changed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect(h.mail.sent.at(-1)).toMatchObject({ to: u.email, subject: 'Your Mowt password was changed' });
    h.clock.advance(10 * 60_000);
    expect((await u.browser.post('/api/auth/password/change', { password: 'yet another long passphrase 99' })).statusCode).toBe(403);
    const b = new TestBrowser(h.server);
    expect((await b.post('/api/auth/login', { email: u.email, password: newPassword })).statusCode).toBe(200);
  });

  it('disabling 2FA needs the password and a current code, is audited and mailed, and leaves only enrolment', async () => {
    const u = await signedInUser(h);
    h.clock.advance(30_000);
    expect((await u.browser.post('/api/auth/totp/disable', { password: GOOD_PASSWORD, code: '123456' })).statusCode).toBe(401);
    expect((await u.browser.post('/api/auth/totp/disable', { password: 'not my password!!', code: totpCodeAt(u.secret, h.clock()) })).statusCode).toBe(401);
    expect(await t.db.owner.selectFrom('user_totp').select('user_id').where('user_id', '=', u.id).execute()).toHaveLength(1);

    h.clock.advance(30_000);
    const ok = await u.browser.post('/api/auth/totp/disable', { password: GOOD_PASSWORD, code: totpCodeAt(u.secret, h.clock()) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, ok.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect(h.audit.events.at(-1)).toMatchObject({ action: 'auth.totp.disable', result: 'success', userId: u.id });
    expect(h.mail.sent.at(-1)).toMatchObject({ to: u.email, text: expect.stringMatching(/turned off/) });
    const me = await u.browser.request('GET', '/api/me');
    expect(me.statusCode).toBe(403);
    expect(me.json()).toMatchObject({ detail: 'enrol two-factor authentication first' });
    expect(await t.db.owner.selectFrom('recovery_codes').select('id').where('user_id', '=', u.id).execute()).toHaveLength(0);
    expect((await u.browser.post('/api/auth/totp/enroll')).statusCode).toBe(200);
  });
});
