import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import type { MailMessage } from '../mail/mailer.js';
import { GOOD_PASSWORD, signedInUser, startAuthHarness, TEST_ORIGIN, TestBrowser, uniqueEmail, type AuthHarness } from './test-support.js';
import { totpCodeAt } from './totp.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { OkSchema } from './auth-schemas.js';

describe.each(DB_KINDS)('changing the email address on %s', (kind) => {
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

  const mailTo = (to: string) => h.mail.sent.filter((m) => m.to === to);
  async function waitForMail(to: string, subject: string): Promise<MailMessage> {
    return vi.waitFor(() => {
      const m = mailTo(to).find((x) => x.subject === subject);
      if (!m) throw new Error(`no "${subject}" mail to ${to}`);
      return m;
    });
  }
  async function confirmationToken(to: string): Promise<string> {
    const m = await waitForMail(to, 'Confirm your new email address');
    h.mail.sent.splice(h.mail.sent.indexOf(m), 1);
    const link = /https:\/\/\S+#token=([A-Za-z0-9_.-]+)/.exec(m.text);
    expect(link).not.toBeNull();
    expect(link![0].startsWith(`${TEST_ORIGIN}/confirm-email-change#token=`)).toBe(true);
    return link![1]!;
  }
  const emailOf = async (id: string) => {
    const me = await t.db.owner.selectFrom('users').select(['email_encrypted', 'email_index', 'email_verified_at']).where('id', '=', id).executeTakeFirstOrThrow();
    return me;
  };

  it('needs sudo mode: without a recent re-authentication, 403 with code sudo_required, no mail and no change', async () => {
    const u = await signedInUser(h);
    h.clock.advance(11 * 60_000);
    const before = await emailOf(u.id);
    const sent = h.mail.sent.length;
    const res = await u.browser.post('/api/auth/email/change', { newEmail: uniqueEmail('new') });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'sudo_required' });
    expect(h.mail.sent.length).toBe(sent);
    expect(await emailOf(u.id)).toEqual(before);
    // Signed out: 401 before anything else.
    expect((await new TestBrowser(h.server).post('/api/auth/email/change', { newEmail: uniqueEmail('new') })).statusCode).toBe(401);
  });

  it('refuses addresses that are not addresses, and the current one', async () => {
    const u = await signedInUser(h);
    expect((await u.browser.post('/api/auth/email/change', { newEmail: 'not an address' })).statusCode).toBe(422);
    expect((await u.browser.post('/api/auth/email/change', { newEmail: ` ${u.email.toUpperCase()} ` })).statusCode).toBe(422);
  });

  it('mails a link from the base URL to the new address and a notice to the old one; confirming switches the address, ends the other sessions, and login works with the new address only', async () => {
    const u = await signedInUser(h);
    const other = new TestBrowser(h.server, '192.0.2.50');
    expect((await other.post('/api/auth/login', { email: u.email, password: GOOD_PASSWORD })).statusCode).toBe(200);
    h.clock.advance(30_000);
    expect((await other.post('/api/auth/totp/verify', { code: totpCodeAt(u.secret, h.clock()) })).statusCode).toBe(200);
    const newEmail = uniqueEmail('moved');
    const before = await emailOf(u.id);

    const res = await u.browser.post('/api/auth/email/change', { newEmail: newEmail.toUpperCase() }, { headers: { host: 'evil.example' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const token = await confirmationToken(newEmail);
    const notice = await waitForMail(u.email, 'Email address change requested on your Mowt account');
    expect(notice.text).toContain(newEmail);
    expect(h.mail.sent.some((m) => /evil\.example/.test(m.text))).toBe(false);
    expect(h.audit.events.at(-1)).toMatchObject({ action: 'auth.email.change.request', result: 'success', userId: u.id, details: { addressTaken: false } });
    // Nothing changes until the new address is confirmed; the token itself is kept nowhere.
    expect(await emailOf(u.id)).toEqual(before);
    expect(JSON.stringify(await t.db.owner.selectFrom('auth_tokens').selectAll().execute())).not.toContain(token);

    const ok = await u.browser.post('/api/auth/email/change/confirm', { token });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    expect(shapeReport(OkSchema, ok.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const after = await emailOf(u.id);
    expect(after.email_encrypted).not.toBe(before.email_encrypted);
    expect(after.email_index).not.toBe(before.email_index);
    expect(after.email_encrypted).not.toContain(newEmail);
    expect(after.email_verified_at).not.toBeNull();
    expect(h.audit.events.at(-1)).toMatchObject({ action: 'auth.email.change', result: 'success', userId: u.id });
    expect(await waitForMail(u.email, 'Your Mowt email address was changed')).toMatchObject({ text: expect.stringContaining(newEmail) });

    // The confirming session stays; the other one ended.
    const me = await u.browser.request('GET', '/api/me');
    expect(me.statusCode).toBe(200);
    expect((me.json() as { user: { email: string; emailVerified: boolean } }).user).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await other.request('GET', '/api/me')).statusCode).toBe(401);
    expect(await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute()).toHaveLength(1);

    const fresh = new TestBrowser(h.server, '192.0.2.51');
    expect((await fresh.post('/api/auth/login', { email: u.email, password: GOOD_PASSWORD })).statusCode).toBe(401);
    expect((await fresh.post('/api/auth/login', { email: newEmail, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });

  it('confirmed from a browser that is not signed in: every session of the user ends', async () => {
    const u = await signedInUser(h);
    const newEmail = uniqueEmail('elsewhere');
    expect((await u.browser.post('/api/auth/email/change', { newEmail })).statusCode).toBe(202);
    const token = await confirmationToken(newEmail);
    expect((await new TestBrowser(h.server, '192.0.2.52').post('/api/auth/email/change/confirm', { token })).statusCode).toBe(200);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(401);
    expect(await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute()).toHaveLength(0);
  });

  it('a password reset link mailed to the old address stops working once the address has changed', async () => {
    const u = await signedInUser(h);
    // The old mailbox may be the one the user is leaving because someone else reads it.
    expect((await new TestBrowser(h.server, '192.0.2.53').post('/api/auth/password/forgot', { email: u.email })).statusCode).toBe(202);
    const resetMail = await waitForMail(u.email, 'Reset your Mowt password');
    const resetToken = /#token=([A-Za-z0-9_-]+)/.exec(resetMail.text)![1]!;
    const newEmail = uniqueEmail('left-old-mailbox');
    expect((await u.browser.post('/api/auth/email/change', { newEmail })).statusCode).toBe(202);
    expect((await u.browser.post('/api/auth/email/change/confirm', { token: await confirmationToken(newEmail) })).statusCode).toBe(200);

    h.clock.advance(30_000);
    const reset = await new TestBrowser(h.server, '192.0.2.53').post('/api/auth/password/reset', {
      token: resetToken,
      password: 'fresh lemon accordion 2027',
      code: totpCodeAt(u.secret, h.clock()),
    });
    expect(reset.statusCode).toBe(400);
    expect((await new TestBrowser(h.server, '192.0.2.54').post('/api/auth/login', { email: newEmail, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });

  it('a link works once, and confirming one link ends the others', async () => {
    const u = await signedInUser(h);
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    expect((await u.browser.post('/api/auth/email/change', { newEmail: first })).statusCode).toBe(202);
    const firstToken = await confirmationToken(first);
    expect((await u.browser.post('/api/auth/email/change', { newEmail: second })).statusCode).toBe(202);
    const secondToken = await confirmationToken(second);

    const b = new TestBrowser(h.server, '192.0.2.53');
    expect((await b.post('/api/auth/email/change/confirm', { token: secondToken })).statusCode).toBe(200);
    const again = await b.post('/api/auth/email/change/confirm', { token: secondToken });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ detail: 'this confirmation link is invalid, has expired or was already used' });
    expect((await b.post('/api/auth/email/change/confirm', { token: firstToken })).statusCode).toBe(400);
    expect(h.audit.events.at(-1)).toMatchObject({ action: 'auth.email.change', result: 'failure' });
    const login = new TestBrowser(h.server, '192.0.2.54');
    expect((await login.post('/api/auth/login', { email: first, password: GOOD_PASSWORD })).statusCode).toBe(401);
    expect((await login.post('/api/auth/login', { email: second, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });

  it('a link expires after 30 minutes; a forged or altered one is refused', async () => {
    const u = await signedInUser(h);
    const newEmail = uniqueEmail('late');
    expect((await u.browser.post('/api/auth/email/change', { newEmail })).statusCode).toBe(202);
    const token = await confirmationToken(newEmail);
    const b = new TestBrowser(h.server, '192.0.2.55');

    const [userPart, sealed] = token.split('.') as [string, string];
    const flipped = sealed.slice(0, 10) + (sealed[10] === 'A' ? 'B' : 'A') + sealed.slice(11);
    expect((await b.post('/api/auth/email/change/confirm', { token: `${userPart}.${flipped}` })).statusCode).toBe(400);
    const stranger = await signedInUser(h);
    expect((await b.post('/api/auth/email/change/confirm', { token: `${stranger.id}.${sealed}` })).statusCode).toBe(400);
    expect((await b.post('/api/auth/email/change/confirm', { token: 'x'.repeat(40) })).statusCode).toBe(400);

    h.clock.advance(30 * 60_000 + 1000);
    expect((await b.post('/api/auth/email/change/confirm', { token })).statusCode).toBe(400);
    expect((await new TestBrowser(h.server, '192.0.2.56').post('/api/auth/login', { email: u.email, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });

  it('an address that already has an account: the same answer, no link, and that address is told someone tried', async () => {
    const u = await signedInUser(h);
    const holder = await signedInUser(h);
    const free = uniqueEmail('free');
    const taken = await u.browser.post('/api/auth/email/change', { newEmail: holder.email });
    const untaken = await u.browser.post('/api/auth/email/change', { newEmail: free });
    expect(taken.statusCode).toBe(202);
    expect(taken.body).toBe(untaken.body);
    await confirmationToken(free);

    const tried = await waitForMail(holder.email, 'Someone tried to use your address on Mowt');
    expect(tried.text).not.toMatch(/#token=/);
    expect(mailTo(holder.email).some((m) => /#token=/.test(m.text))).toBe(false);
    expect(mailTo(u.email).filter((m) => m.subject === 'Email address change requested on your Mowt account')).toHaveLength(2);
    expect(h.audit.events.filter((e) => e.action === 'auth.email.change.request' && e.userId === u.id).map((e) => e.details)).toEqual([
      { addressTaken: true },
      { addressTaken: false },
    ]);
  });

  it('refuses at confirmation an address taken after the link was sent', async () => {
    const u = await signedInUser(h);
    const newEmail = uniqueEmail('raced');
    expect((await u.browser.post('/api/auth/email/change', { newEmail })).statusCode).toBe(202);
    const token = await confirmationToken(newEmail);
    await signedInUser(h, { email: newEmail });
    const res = await new TestBrowser(h.server, '192.0.2.57').post('/api/auth/email/change/confirm', { token });
    expect(res.statusCode).toBe(409);
    expect((await u.browser.request('GET', '/api/me')).statusCode).toBe(200);
  });
});
