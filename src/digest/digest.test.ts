// The digest and notifications delivered to a real SMTP server (smtp-server) through the production SMTP
// path: List-Unsubscribe + List-Unsubscribe-Post headers, a one-click POST that needs no session, a GET that
// changes nothing, single-purpose tokens; movement notifications to a Slack-compatible webhook.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { uniqueEmail } from '../auth/test-support.js';
import { smtpMailer } from '../mail/smtp-mailer.js';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/test-smtp-server.js';
import type { MailMessage } from '../mail/mailer.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { signUpAndSignIn, startBillingHarness, type BillingHarness, type SignedUp } from '../billing/test-support.js';
import { postOutbound } from '../http/egress.js';
import { digestWindow, slackSender, type MetricsSource } from './index.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { PreferencesViewSchema, UnsubscribedSchema } from './digest-schemas.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

/** Header lines as one line each (SMTP folds long headers onto continuation lines). */
const unfolded = <T extends { raw: string }>(m: T): T => ({ ...m, raw: m.raw.replace(/\r?\n[ \t]+/g, ' ') });

const metrics: MetricsSource = {
  period: async (_orgId, from, to) => ({
    currency: 'GBP', from, to, mrr: 1_234_500, mrrAtStart: 1_200_000,
    movements: { new: 50_000, expansion: 10_000, contraction: -5_000, churn: -20_500, reactivation: 0 },
    newCustomers: 3, churnedCustomers: 1, payingCustomers: 120,
    notable: [{ customerId: 'cus_BigCo', kind: 'upgrade', amount: 9_900, day: to }],
  }),
  movementsSince: async () => ({ movements: [{ customerId: 'cus_New1', kind: 'new', amount: 4_900, day: '2026-11-24' }, { customerId: 'cus_Gone', kind: 'churn', amount: -2_000, day: '2026-11-24' }], through: '2026-11-24', currency: 'GBP' }),
};

describe('digest, notifications and one-click unsubscribe', () => {
  let t: TestDatabase;
  let smtp: TestSmtpServer;
  let h: BillingHarness;
  let member: SignedUp;
  let slackServer: http.Server;
  const slackPosts: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    smtp = await startTestSmtpServer();
    const smtpTransport = smtpMailer({ url: smtp.url, from: 'Mowt <no-reply@mowt.test>' });
    const sent: MailMessage[] = [];
    const mailer = { sent, send: async (m: MailMessage) => { sent.push(m); await smtpTransport.send(m); } };
    slackServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => { slackPosts.push(body); res.writeHead(200).end('ok'); });
    });
    await new Promise<void>((r) => slackServer.listen(0, '127.0.0.1', () => r()));
    h = await startBillingHarness(t.db, { mailer, overrides: { commercial: { metrics, slack: slackSender({ allowPrivate: true, post: (url, body, o) => postOutbound(new URL(String(url).replace('https://hooks.test', `http://127.0.0.1:${(slackServer.address() as AddressInfo).port}`)), body, o) }) } } });
    member = await signUpAndSignIn(h, { email: uniqueEmail('digest') });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
    await new Promise<void>((r) => slackServer?.close(() => r()));
    await t?.dispose();
  });

  it('computes the due window per cadence', () => {
    const now = new Date('2026-11-25T08:00:00Z');
    expect(digestWindow('daily', null, now, 'Europe/London')).toEqual({ from: '2026-11-24', to: '2026-11-24' });
    expect(digestWindow('weekly', null, now, 'Europe/London')).toEqual({ from: '2026-11-18', to: '2026-11-24' });
    expect(digestWindow('daily', new Date('2026-11-25T01:00:00Z'), now, 'Europe/London')).toBeNull();
    expect(digestWindow('off', null, now, 'Europe/London')).toBeNull();
    // The organisation's calendar, not UTC's: at 23:30 UTC on 24 November it is already the 25th in Sydney,
    // so Sydney's "yesterday" is the 24th while London's is still the 23rd.
    const lateUtc = new Date('2026-11-24T23:30:00Z');
    expect(digestWindow('daily', null, lateUtc, 'Australia/Sydney')).toEqual({ from: '2026-11-24', to: '2026-11-24' });
    expect(digestWindow('daily', null, lateUtc, 'Europe/London')).toEqual({ from: '2026-11-23', to: '2026-11-23' });
    // Sent at 08:00 Sydney time on the 25th (21:00 UTC on the 24th): not due again until Sydney's 26th.
    expect(digestWindow('daily', new Date('2026-11-24T21:00:00Z'), lateUtc, 'Australia/Sydney')).toBeNull();
    expect(digestWindow('daily', new Date('2026-11-24T21:00:00Z'), new Date('2026-11-25T13:30:00Z'), 'Australia/Sydney')).toEqual({ from: '2026-11-25', to: '2026-11-25' });
  });

  it('mails the digest with List-Unsubscribe one-click headers; GET changes nothing, POST unsubscribes', async () => {
    const prefs = `/api/orgs/${member.orgId}/notifications/preferences`;
    const saved = await member.browser.request('PUT', prefs, { body: { digest: 'daily', notifyChannel: 'off', notifyEvents: ['new', 'churn'] } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ digest: 'daily', notifyChannel: 'off', notifyEvents: ['new', 'churn'], slackWebhookConfigured: false });
    expect(shapeReport(PreferencesViewSchema, saved.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await h.app.services.digest.sendDueDigests()).sent).toBe(1);
    const mail = unfolded(await smtp.waitFor((m) => m.to.includes(member.email) && m.raw.includes('Daily Mowt digest')));
    expect(mail.raw).toMatch(/^List-Unsubscribe: <https:\/\/[^>]+\/unsubscribe\?token=u1\.digest\./m);
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    // The body as handed to SMTP (the wire copy is quoted-printable encoded).
    const sent = h.mail.sent.find((m) => m.to === member.email && m.subject.startsWith('Daily Mowt digest'));
    expect(sent?.text).toContain('MRR: £12,345.00 (+£345.00)');
    expect(sent?.text).toContain('cus_BigCo');
    const token = /^List-Unsubscribe: <[^>]*unsubscribe\?token=(u1\.digest\.[A-Za-z0-9._-]+)>/m.exec(mail.raw)?.[1] ?? '';
    expect(token).not.toBe('');
    // A second run the same day sends nothing more.
    expect((await h.app.services.digest.sendDueDigests()).sent).toBe(0);

    // A link scanner's GET: nothing changes.
    await h.app.server.inject({ method: 'GET', url: `/unsubscribe?token=${token}` });
    const read = await member.browser.request('GET', prefs);
    expect(read.json()).toMatchObject({ digest: 'daily' });
    expect(shapeReport(PreferencesViewSchema, read.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // A tampered token, or a digest token used for notifications: refused.
    const bad = await h.app.server.inject({ method: 'POST', url: `/unsubscribe?token=${token.slice(0, -2)}AA`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(bad.statusCode).toBe(400);
    const swapped = await h.app.server.inject({ method: 'POST', url: `/unsubscribe?token=${token.replace('u1.digest.', 'u1.notify.')}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(swapped.statusCode).toBe(400);
    // The mail client's one-click POST: no cookie, no CSRF token.
    const ok = await h.app.server.inject({ method: 'POST', url: `/unsubscribe?token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ unsubscribed: 'digest' });
    expect(shapeReport(UnsubscribedSchema, ok.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await member.browser.request('GET', prefs)).json()).toMatchObject({ digest: 'off' });
    // Re-subscribing issues a new nonce: the old link is dead.
    await member.browser.request('PUT', prefs, { body: { digest: 'weekly', notifyChannel: 'off', notifyEvents: ['new'] } });
    const stale = await h.app.server.inject({ method: 'POST', url: `/unsubscribe?token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(stale.statusCode).toBe(400);
  });

  it('notifies movements by email or to a Slack-compatible webhook, as each member chose', async () => {
    const prefs = `/api/orgs/${member.orgId}/notifications/preferences`;
    await member.browser.request('PUT', prefs, { body: { digest: 'off', notifyChannel: 'email', notifyEvents: ['churn'] } });
    expect((await h.app.services.digest.sendMovementNotifications()).notified).toBe(1);
    const mail = unfolded(await smtp.waitFor((m) => m.to.includes(member.email) && m.raw.includes('cus_Gone')));
    expect(mail.raw).not.toContain('cus_New1');
    expect(mail.raw).toMatch(/^List-Unsubscribe: <https:\/\/[^>]+token=u1\.notify\./m);
    const refused = await member.browser.request('PUT', prefs, { body: { digest: 'off', notifyChannel: 'slack', notifyEvents: ['new'], slackWebhookUrl: 'http://insecure.example/hook' } });
    expect(refused.statusCode).toBe(422);
    const slack = await member.browser.request('PUT', prefs, { body: { digest: 'off', notifyChannel: 'slack', notifyEvents: ['new'], slackWebhookUrl: 'https://hooks.test/services/T000/B000/XXXX' } });
    // The webhook URL is a secret: the answer only says one is configured.
    expect(slack.json()).toEqual({ digest: 'off', notifyChannel: 'slack', notifyEvents: ['new'], slackWebhookConfigured: true });
    expect(shapeReport(PreferencesViewSchema, slack.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const row = await h.app.db.owner.selectFrom('notification_preferences').select('slack_webhook_encrypted').where('user_id', '=', member.userId).executeTakeFirstOrThrow();
    expect(row.slack_webhook_encrypted).not.toContain('hooks.test');
    await h.app.services.digest.sendMovementNotifications();
    expect(slackPosts.some((p) => p.includes('cus_New1'))).toBe(true);
  });
});
