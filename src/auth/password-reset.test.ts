import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { smtpMailer } from '../mail/smtp-mailer.js';
import { decodeMail, startTestSmtpServer, type TestSmtpServer } from '../mail/test-smtp-server.js';
import { withoutOrg } from '../db/tenant.js';
import { recordingDb, signedInUser, startAuthHarness, TEST_ORIGIN, TestBrowser, uniqueEmail, type AuthHarness } from './test-support.js';
import { totpCodeAt } from './totp.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { OkSchema } from './auth-schemas.js';
import { forgotPassword } from './forgot-password.js';

const NEW_PASSWORD = 'fresh lemon accordion 2027';

describe.each(DB_KINDS)('password reset and email verification on %s', (kind) => {
  let t: TestDatabase;
  let h: AuthHarness;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    smtp = await startTestSmtpServer();
    h = await startAuthHarness(t.db, { mailer: smtpMailer({ url: smtp.url, from: 'Mowt <no-reply@mowt.test>' }) });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
    await t?.dispose();
  });

  async function resetToken(email: string): Promise<string> {
    const m = await smtp.waitFor((x) => x.to.includes(email) && /Reset your Mowt password/.test(x.raw));
    smtp.received.splice(smtp.received.indexOf(m), 1);
    const link = /https:\/\/\S+#token=([A-Za-z0-9_-]+)/.exec(decodeMail(m.raw));
    expect(link).not.toBeNull();
    expect(link![0].startsWith(`${TEST_ORIGIN}/reset-password#token=`)).toBe(true);
    return link![1]!;
  }

  it('answers the same for known and unknown addresses and mails only the real account, with a link from the base URL', async () => {
    const u = await signedInUser(h);
    const b = new TestBrowser(h.server);
    const compares = h.hasher.compares;
    const known = await b.post('/api/auth/password/forgot', { email: u.email }, { headers: { host: 'evil.example' } });
    const unknown = await b.post('/api/auth/password/forgot', { email: uniqueEmail('ghost') }, { headers: { host: 'evil.example' } });
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, known.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    expect(h.hasher.compares).toBe(compares);
    const token = await resetToken(u.email);
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(smtp.received.some((m) => /evil\.example/.test(m.raw))).toBe(false);
    const stored = await t.db.owner.selectFrom('auth_tokens').select('token_hash').where('user_id', '=', u.id).execute();
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('waits for the same database work for known and unknown addresses; the link is issued only afterwards', async () => {
    const u = await signedInUser(h);
    // Every statement the request runs, by kind: a write (and its commit) only for real accounts would be timeable.
    const { db, kinds } = recordingDb(t.db);
    const deps = { ...h.deps, db };
    const meta = { ip: '192.0.2.150', userAgent: null };

    const known = await forgotPassword(deps, u.email, meta);
    const knownWork = kinds.splice(0);
    const unknown = await forgotPassword(deps, uniqueEmail('ghost'), meta);
    expect(kinds.splice(0)).toEqual(knownWork);
    expect(knownWork).toContain('SelectQueryNode');
    expect(await t.db.owner.selectFrom('auth_tokens').select('id').where('user_id', '=', u.id).execute()).toEqual([]);

    await known.deliver();
    await unknown.deliver();
    expect(kinds).toContain('InsertQueryNode');
    expect(await resetToken(u.email)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await t.db.owner.selectFrom('auth_tokens').select('id').where('user_id', '=', u.id).execute()).toHaveLength(1);
  });

  it('needs the second factor, ends every session, and works only once', async () => {
    const u = await signedInUser(h);
    const other = new TestBrowser(h.server, '192.0.2.77');
    await new TestBrowser(h.server).post('/api/auth/password/forgot', { email: u.email });
    const token = await resetToken(u.email);

    expect((await other.post('/api/auth/password/reset', { token, password: NEW_PASSWORD })).statusCode).toBe(401);
    expect((await other.post('/api/auth/password/reset', { token, password: NEW_PASSWORD, code: '000000' })).statusCode).toBe(401);
    expect((await other.post('/api/auth/password/reset', { token, password: 'password1234', code: totpCodeAt(u.secret, h.clock()) })).statusCode).toBe(422);
    // The signed-in browser still works: nothing changed yet.
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);

    h.clock.advance(30_000);
    const ok = await other.post('/api/auth/password/reset', { token, password: NEW_PASSWORD, code: totpCodeAt(u.secret, h.clock()) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, ok.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(401);
    expect(await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute()).toHaveLength(0);
    expect(h.audit.events.at(-1)).toMatchObject({ action: 'auth.password.reset', result: 'success', userId: u.id });

    h.clock.advance(30_000);
    const again = await other.post('/api/auth/password/reset', { token, password: 'another fresh phrase 2028', code: totpCodeAt(u.secret, h.clock()) });
    expect(again.statusCode).toBe(400);
    const login = await new TestBrowser(h.server).post('/api/auth/login', { email: u.email, password: NEW_PASSWORD });
    expect(login.statusCode).toBe(200);
  });

  it('accepts a recovery code as the second factor', async () => {
    const u = await signedInUser(h);
    await new TestBrowser(h.server).post('/api/auth/password/forgot', { email: u.email });
    const token = await resetToken(u.email);
    const res = await new TestBrowser(h.server).post('/api/auth/password/reset', { token, password: NEW_PASSWORD, code: u.recoveryCodes[3] });
    expect(res.statusCode).toBe(200);
  });

  it('sends at most 3 reset mails per address an hour, answering the same', async () => {
    const u = await signedInUser(h);
    const b = new TestBrowser(h.server, '192.0.2.123');
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await b.post('/api/auth/password/forgot', { email: u.email }));
    expect(new Set(answers.map((a) => `${a.statusCode} ${a.body}`)).size).toBe(1);
    const resets = () => smtp.received.filter((m) => m.to.includes(u.email) && /Reset your Mowt password/.test(m.raw));
    await smtp.waitFor(() => resets().length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(resets()).toHaveLength(3);
    expect(h.audit.events.filter((e) => e.action === 'auth.password.forgot' && e.userId === u.id).map((e) => e.result)).toEqual(['success', 'success', 'success', 'denied', 'denied']);
    smtp.received.splice(0, smtp.received.length);
  });

  it('expires reset links after 30 minutes', async () => {
    const u = await signedInUser(h);
    await new TestBrowser(h.server).post('/api/auth/password/forgot', { email: u.email });
    const token = await resetToken(u.email);
    h.clock.advance(30 * 60_000 + 1000);
    const res = await new TestBrowser(h.server).post('/api/auth/password/reset', { token, password: NEW_PASSWORD, code: totpCodeAt(u.secret, h.clock()) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ detail: 'this reset link is invalid or has expired' });
  });

  it('verifies an email address with a single-use 30-minute link', async () => {
    const u = await signedInUser(h);
    const resend = await u.browser.post('/api/auth/email/resend');
    expect(resend.statusCode).toBe(202);
    expect(resend.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, resend.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const m = await smtp.waitFor((x) => x.to.includes(u.email) && /Confirm your email address/.test(x.raw));
    const token = /#token=([A-Za-z0-9_-]+)/.exec(decodeMail(m.raw))![1]!;
    const b = new TestBrowser(h.server);
    const verified = await b.post('/api/auth/email/verify', { token });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, verified.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await b.post('/api/auth/email/verify', { token })).statusCode).toBe(400);
    const row = await withoutOrg(t.db, (tx) => tx.selectFrom('users').select('email_verified_at').where('id', '=', u.id).executeTakeFirstOrThrow());
    expect(row.email_verified_at).not.toBeNull();
    expect(((await u.browser.request('GET', '/api/me')).json() as { user: { emailVerified: boolean } }).user.emailVerified).toBe(true);
  });
});
