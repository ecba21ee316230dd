// The anomaly rules end to end, in the real application on PGlite and PostgreSQL, with an injected clock,
// mail delivered to a real SMTP server and webhooks to a local HTTP receiver that checks the signature:
// a realistic day raises nothing; each rule fires when it should, stores an event, audits it, shows it to
// the Admins and alerts them (or Mowt's on-call channel for cross-organisation patterns).
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrg, withoutOrg } from '../db/tenant.js';
import { smtpMailer } from '../mail/smtp-mailer.js';
import { decodeMail, startTestSmtpServer, type TestSmtpServer } from '../mail/test-smtp-server.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { newMember, newOrg, startTeamsApp, TestBrowser, type SignedIn, type TeamsApp, type TestOrg } from '../../test/security/support.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { trustedCountry } from './http-monitor.js';
import { RULES, TOKEN_RULES } from './rules.js';
import { AlertSettingsSchema, AlertTestSchema, AlertWebhookSetSchema, SecurityEventPageSchema } from './security-events-schemas.js';
import { verifyWebhook } from './webhook.js';

const HOUR = 3_600_000;
const ONCALL_SECRET = 'oncall-secret-0123456789';
const SAME_DEVICE = 'test-browser';
const UA_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

interface Received {
  path: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

describe.each(DB_KINDS)('anomaly detection and alerts on %s', (kind) => {
  let t: TestDatabase;
  let smtp: TestSmtpServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let app: TeamsApp;
  let quiet: TestOrg[];
  let target: TestOrg;
  let targetMembers: SignedIn[];
  let orgWebhookSecret: string;

  const events = (orgId: string) => withOrg(app.db, orgId, (tx) => tx.selectFrom('security_events').select(['rule', 'severity', 'subject_id', 'alerted_at']).where('org_id', '=', orgId).execute());
  const oncall = () => withoutOrg(app.db, (tx) => tx.selectFrom('security_oncall_events').select(['rule', 'alerted_at']).execute());
  const monitor = () => app.services.security;
  /** Where the next dedupe bucket of a window rule starts (buckets are fixed multiples of the window). */
  const startOfNextWindow = (windowMs: number) => (Math.floor(app.clock().getTime() / windowMs) + 1) * windowMs;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    receiver = await startReceiver();
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db, {
      mailer: smtpMailer({ url: smtp.url, from: 'Mowt <security@mowt.test>' }),
      env: { MOWT_ONCALL_EMAIL: 'oncall@mowt.test', MOWT_ONCALL_WEBHOOK_URL: `${receiver.url}/oncall`, MOWT_ONCALL_WEBHOOK_SECRET: ONCALL_SECRET },
    });
    quiet = [await newOrg(app, 'Quiet One'), await newOrg(app, 'Quiet Two')];
    target = await newOrg(app, 'Target Ltd');
    targetMembers = [];
    for (let i = 0; i < 3; i++) targetMembers.push(await newMember(app, target.id, 'member'));
    await monitor().settled();
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
    await smtp?.close();
    await receiver?.close();
  });

  it('a realistic working day raises nothing', async () => {
    const m = monitor();
    const mailsBefore = smtp.received.length;
    const members: { id: string; orgId: string; ip: string }[] = [];
    for (const [i, org] of quiet.entries()) {
      members.push({ id: org.admin.id, orgId: org.id, ip: `203.0.113.${10 + i}` });
      for (let k = 0; k < 3; k++) members.push({ id: (await newMember(app, org.id, k === 0 ? 'viewer' : 'member')).id, orgId: org.id, ip: `203.0.113.${10 + i}` });
    }
    // Seven days of an API token used in office hours (the baseline), then the eighth day through the monitor.
    const tokenId = `tok_${crypto.randomBytes(4).toString('hex')}`;
    const orgId = quiet[0]!.id;
    const day0 = new Date(Math.floor(app.clock().getTime() / (24 * HOUR)) * 24 * HOUR - 7 * 24 * HOUR);
    await withOrg(app.db, orgId, async (tx) => {
      for (let h = 0; h < 7 * 24; h++) {
        const hod = h % 24;
        if (hod < 8 || hod > 18) continue;
        await tx.insertInto('security_token_usage').values({ org_id: orgId, token_id: tokenId, hour: new Date(day0.getTime() + h * HOUR), uses: 9 + (h % 4) }).execute();
      }
    });
    const day8 = new Date(day0.getTime() + 7 * 24 * HOUR);
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let hod = 8; hod <= 18; hod++) {
      const at = new Date(day8.getTime() + hod * HOUR);
      // Members sign in through the morning, some with a typo or two first; same device and office address.
      for (const u of members) {
        if (rand() < 0.25) {
          if (rand() < 0.3) m.loginFailed({ userId: u.id, ip: u.ip, at });
          if (rand() < 0.1) m.loginFailed({ userId: u.id, ip: u.ip, at });
          // The same browser they signed up with (the test browser's agent).
          m.signInCompleted({ userId: u.id, ip: u.ip, userAgent: SAME_DEVICE, country: null, at });
        }
        if (rand() < 0.1) await m.recordExport({ orgId: u.orgId, actor: { type: 'user', id: u.id }, rows: 300 + Math.floor(rand() * 2000), kind: 'csv', at });
      }
      const uses = 9 + Math.floor(rand() * 4);
      for (let n = 0; n < uses; n++) await m.recordTokenUse(orgId, tokenId, new Date(at.getTime() + n * 60_000));
      // A stale bookmark to an organisation someone left, and the odd server error.
      if (hod === 9 || hod === 15) m.crossTenantDenied({ ip: '203.0.113.10', orgId: crypto.randomUUID(), at });
      if (hod === 11) m.serverError({ route: 'GET /api/orgs/:orgId', at });
      await m.settled();
    }
    await m.settled();
    for (const org of quiet) {
      // Only the learning of first sign-in devices happened: no event at all.
      expect(await events(org.id)).toEqual([]);
    }
    expect(await oncall()).toEqual([]);
    const securityMail = (x: { raw: string }) => /Subject: (\[Mowt security|\[Mowt on-call|New sign-in)/.test(decodeMail(x.raw));
    expect(smtp.received.slice(mailsBefore).filter(securityMail).map((x) => `${x.to.join(',')}: ${/Subject: (.*)/.exec(decodeMail(x.raw))?.[1] ?? ''}`)).toEqual([]);
  }, 180_000);

  it('lets an Admin set a signed Slack-compatible webhook (secret shown once; only the host shown again)', async () => {
    const set = await target.admin.browser.request('PUT', `/api/orgs/${target.id}/security-alerts/webhook`, { body: { url: `${receiver.url}/org/${target.id}` } });
    expect(set.statusCode, set.body).toBe(200);
    expect(shapeReport(AlertWebhookSetSchema, set.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    orgWebhookSecret = (set.json() as { secret: string }).secret;
    expect(orgWebhookSecret).toMatch(/^whsec_mowt_/);
    const shown = await target.admin.browser.request('GET', `/api/orgs/${target.id}/security-alerts`);
    expect(shown.json()).toEqual({ webhook: { configured: true, host: new URL(receiver.url).host } });
    expect(shown.body).not.toContain(orgWebhookSecret);
    expect(shapeReport(AlertSettingsSchema, shown.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const member = targetMembers[0]!;
    expect((await member.browser.request('PUT', `/api/orgs/${target.id}/security-alerts/webhook`, { body: { url: `${receiver.url}/evil` } })).statusCode).toBe(403);
    expect((await target.admin.browser.request('PUT', `/api/orgs/${target.id}/security-alerts/webhook`, { body: { url: 'not a url' } })).statusCode).toBe(400);
    const test = await target.admin.browser.post(`/api/orgs/${target.id}/security-alerts/webhook/test`, {});
    expect(test.json()).toEqual({ delivered: true });
    expect(shapeReport(AlertTestSchema, test.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const got = receiver.received.find((r) => r.path === `/org/${target.id}`);
    expect(got).toBeDefined();
    const nowS = Math.floor(app.clock().getTime() / 1000);
    expect(verifyWebhook(orgWebhookSecret, { timestamp: String(got?.headers['x-mowt-timestamp']), signature: String(got?.headers['x-mowt-signature']) }, got?.body ?? '', nowS)).toBe(true);
    expect(verifyWebhook('wrong-secret', { timestamp: String(got?.headers['x-mowt-timestamp']), signature: String(got?.headers['x-mowt-signature']) }, got?.body ?? '', nowS)).toBe(false);
  });

  it('answers the alert settings exactly: none set, a failed test delivery, and removal', async () => {
    const spare = await newOrg(app, 'Spare Alerts Ltd');
    const base = `/api/orgs/${spare.id}/security-alerts`;
    const none = await spare.admin.browser.request('GET', base);
    expect(none.json()).toEqual({ webhook: { configured: false, host: null } });
    expect(shapeReport(AlertSettingsSchema, none.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // Nothing listens on port 1: the test delivery fails and says why.
    expect((await spare.admin.browser.request('PUT', `${base}/webhook`, { body: { url: 'http://127.0.0.1:1/hook' } })).statusCode).toBe(200);
    const failed = await spare.admin.browser.post(`${base}/webhook/test`, {});
    expect(failed.json()).toMatchObject({ delivered: false, error: expect.any(String) });
    expect(shapeReport(AlertTestSchema, failed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const removed = await spare.admin.browser.request('DELETE', `${base}/webhook`);
    expect(removed.json()).toEqual({ webhook: { configured: false, host: null } });
    expect(shapeReport(AlertSettingsSchema, removed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
  });

  it('a burst of failed sign-ins for one account (through the real login route) alerts the Admins by mail and webhook', async () => {
    const victim = targetMembers[1]!;
    for (let i = 0; i < RULES.failedLoginsPerAccount.threshold; i++) {
      const attacker = new TestBrowser(app.server, `198.51.100.${100 + i}`);
      const res = await attacker.post('/api/auth/login', { email: victim.email, password: `wrong password number ${i}` });
      expect(res.statusCode).toBe(401);
    }
    await monitor().settled();
    const stored = await events(target.id);
    expect(stored.filter((e) => e.rule === 'login.failed_burst.account')).toEqual([{ rule: 'login.failed_burst.account', severity: 'warning', subject_id: victim.id, alerted_at: expect.any(Date) }]);
    const mail = await smtp.waitFor((x) => x.to.includes(target.admin.email) && decodeMail(x.raw).includes('failed sign-ins for one member'));
    expect(decodeMail(mail.raw)).toContain('Target Ltd');
    // Only the Admins of that organisation: no member, no other organisation.
    expect(smtp.received.filter((x) => decodeMail(x.raw).includes('failed sign-ins for one member')).flatMap((x) => x.to)).toEqual([target.admin.email]);
    const hook = receiver.received.find((r) => r.path === `/org/${target.id}` && r.body.includes('login.failed_burst.account'));
    expect(hook).toBeDefined();
    expect(verifyWebhook(orgWebhookSecret, { timestamp: String(hook?.headers['x-mowt-timestamp']), signature: String(hook?.headers['x-mowt-signature']) }, hook?.body ?? '', Math.floor(app.clock().getTime() / 1000))).toBe(true);
    expect((JSON.parse(hook?.body ?? '{}') as { text: string }).text).toContain('Target Ltd');
    // Shown to Admins, audited; not shown to Members.
    const list = await target.admin.browser.request('GET', `/api/orgs/${target.id}/security-events`);
    expect(shapeReport(SecurityEventPageSchema, list.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((list.json() as { events: { rule: string; details: { ip?: string } }[] }).events.find((e) => e.rule === 'login.failed_burst.account')?.details.ip).toMatch(/^198\.51\.100\./);
    expect((await targetMembers[0]!.browser.request('GET', `/api/orgs/${target.id}/security-events`)).statusCode).toBe(403);
    const audit = await withOrg(app.db, target.id, (tx) => tx.selectFrom('audit_log').select('action').where('org_id', '=', target.id).where('action', '=', 'security.event').execute());
    expect(audit.length).toBeGreaterThanOrEqual(1);
    // The IP address is stored encrypted, never in clear.
    const raw = await sql<{ details_encrypted: string }>`select details_encrypted from security_events where rule = 'login.failed_burst.account'`.execute(app.db.owner);
    expect(raw.rows[0]?.details_encrypted).not.toContain('198.51.100');
  });

  it('failed sign-ins per organisation and per address (password spraying → on-call) fire at their thresholds', async () => {
    const m = monitor();
    // Well after the account burst above, so the organisation's window starts empty.
    const at = new Date(app.clock().getTime() + 2 * HOUR);
    const ids = targetMembers.map((x) => x.id);
    for (let i = 0; i < RULES.failedLoginsPerOrg.threshold - 1; i++) m.loginFailed({ userId: ids[i % ids.length] ?? null, ip: `192.0.2.${i}`, at: new Date(at.getTime() + i * 1000) });
    await m.settled();
    expect((await events(target.id)).filter((e) => e.rule === 'login.failed_burst.org')).toEqual([]);
    m.loginFailed({ userId: ids[0] ?? null, ip: '192.0.2.250', at: new Date(at.getTime() + 60_000) });
    await m.settled();
    expect((await events(target.id)).filter((e) => e.rule === 'login.failed_burst.org').map((e) => e.severity)).toEqual(['critical']);
    // Two events now; a page of one: nextBefore is the instant to ask before for the next page.
    const first = await target.admin.browser.request('GET', `/api/orgs/${target.id}/security-events?limit=1`);
    expect((first.json() as { nextBefore: string | null }).nextBefore).toEqual(expect.any(String));
    expect(shapeReport(SecurityEventPageSchema, first.json())).toEqual({ errors: [], keys: [], unchecked: [] });

    for (let i = 0; i < RULES.failedLoginsPerIp.threshold; i++) m.loginFailed({ userId: null, ip: '203.0.113.66', at: new Date(at.getTime() + i * 5000) });
    await m.settled();
    expect((await oncall()).filter((e) => e.rule === 'login.failed_burst.ip')).toHaveLength(1);
    const mail = await smtp.waitFor((x) => x.to.includes('oncall@mowt.test') && decodeMail(x.raw).includes('login.failed_burst.ip'));
    expect(mail).toBeDefined();
    const hook = receiver.received.find((r) => r.path === '/oncall' && r.body.includes('login.failed_burst.ip'));
    expect(verifyWebhook(ONCALL_SECRET, { timestamp: String(hook?.headers['x-mowt-timestamp']), signature: String(hook?.headers['x-mowt-signature']) }, hook?.body ?? '', Math.floor(app.clock().getTime() / 1000))).toBe(true);
    // A continuing burst does not alert again in the same window.
    for (let i = 0; i < 10; i++) m.loginFailed({ userId: null, ip: '203.0.113.66', at: new Date(at.getTime() + 200_000 + i) });
    await m.settled();
    expect((await oncall()).filter((e) => e.rule === 'login.failed_burst.ip')).toHaveLength(1);
  });

  it('a sign-in from a new device or country mails the user (not the Admins) and records an info event', async () => {
    const m = monitor();
    const user = targetMembers[2]!;
    const at = app.clock();
    // Signed up with the test browser; the first country seen teaches, it does not alarm.
    m.signInCompleted({ userId: user.id, ip: '203.0.113.20', userAgent: SAME_DEVICE, country: 'GB', at });
    m.signInCompleted({ userId: user.id, ip: '203.0.113.20', userAgent: SAME_DEVICE, country: 'GB', at: new Date(at.getTime() + HOUR) });
    await m.settled();
    const signInMail = (x: { to: string[]; raw: string }) => x.to.includes(user.email) && decodeMail(x.raw).includes('Subject: New sign-in');
    expect(smtp.received.filter(signInMail)).toEqual([]);
    m.signInCompleted({ userId: user.id, ip: '198.51.100.200', userAgent: UA_LINUX, country: 'BR', at: new Date(at.getTime() + 2 * HOUR) });
    await m.settled();
    const mail = await smtp.waitFor(signInMail);
    expect(decodeMail(mail.raw)).toMatch(/new device \(Firefox on Linux\) and a new country \(BR\)/);
    const stored = (await events(target.id)).filter((e) => e.rule === 'signin.new_country');
    expect(stored).toEqual([{ rule: 'signin.new_country', severity: 'info', subject_id: user.id, alerted_at: null }]);
    expect(smtp.received.filter((x) => x.to.includes(target.admin.email) && decodeMail(x.raw).includes('new country'))).toEqual([]);
  });

  it('API-token use far above its 7-day baseline, or at an unusual hour, is flagged', async () => {
    const m = monitor();
    const tokenId = `tok_${crypto.randomBytes(4).toString('hex')}`;
    const day0 = new Date(Math.floor(app.clock().getTime() / (24 * HOUR)) * 24 * HOUR - 7 * 24 * HOUR);
    await withOrg(app.db, target.id, async (tx) => {
      for (let h = 0; h < 7 * 24; h++) {
        if (h % 24 < 9 || h % 24 > 17) continue;
        await tx.insertInto('security_token_usage').values({ org_id: target.id, token_id: tokenId, hour: new Date(day0.getTime() + h * HOUR), uses: 12 }).execute();
      }
    });
    const today = new Date(day0.getTime() + 7 * 24 * HOUR);
    for (let n = 0; n < TOKEN_RULES.spikeMinUses + 10; n++) await m.recordTokenUse(target.id, tokenId, new Date(today.getTime() + 10 * HOUR + n * 1000));
    await m.recordTokenUse(target.id, tokenId, new Date(today.getTime() + 3 * HOUR + 5 * 60_000));
    await m.settled();
    const rules = (await events(target.id)).filter((e) => e.subject_id === tokenId).map((e) => e.rule).sort();
    expect(rules).toEqual(['token.unusual_hour', 'token.usage_spike']);
  }, 120_000);

  it('counts every request of a real API token against its baseline', async () => {
    // Signed in just now, so the Admin may create a token (sudo).
    const created = await target.admin.browser.post(`/api/orgs/${target.id}/api-tokens`, { name: 'Baseline probe', scopes: ['org:read'], expiresInDays: 30 });
    expect(created.statusCode, created.body).toBe(201);
    const { secret, token } = created.json() as { secret: string; token: { id: string } };
    for (let i = 0; i < 3; i++) {
      const res = await app.server.inject({ method: 'GET', url: '/api/v1/org', headers: { authorization: `Bearer ${secret}` }, remoteAddress: '198.51.100.44' });
      expect(res.statusCode).toBe(200);
    }
    await monitor().settled();
    const usage = await withOrg(app.db, target.id, (tx) => tx.selectFrom('security_token_usage').select('uses').where('token_id', '=', token.id).execute());
    expect(usage.map((u) => Number(u.uses))).toEqual([3]);
  });

  it('bulk exports and export bursts are flagged', async () => {
    const m = monitor();
    const actor = { type: 'user' as const, id: targetMembers[0]!.id };
    // Inside one hourly dedupe bucket: nine minutes from "now" may cross the hour, and the burst (11 exports,
    // the bulk one included) would then rightly alert once in each hour.
    const at = new Date(startOfNextWindow(RULES.exportsPerActor.windowMs) + 1000);
    await m.recordExport({ orgId: target.id, actor, rows: 25_000, kind: 'customers csv', at });
    for (let i = 0; i < RULES.exportsPerActor.threshold; i++) await m.recordExport({ orgId: target.id, actor, rows: 100, kind: 'mrr csv', at: new Date(at.getTime() + i * 60_000) });
    await m.settled();
    const rules = (await events(target.id)).filter((e) => e.rule.startsWith('export.')).map((e) => e.rule).sort();
    expect(rules).toEqual(['export.bulk', 'export.burst']);
  });

  it('one address probing many organisations (through the permission hook) and a burst of 5xx alert on-call', async () => {
    const prober = target.admin.browser;
    for (let i = 0; i < RULES.probingOrgsPerIp.threshold; i++) expect((await prober.request('GET', `/api/orgs/${crypto.randomUUID()}/members`)).statusCode).toBe(404);
    // Its own organisation's 404s do not count.
    await monitor().settled();
    expect((await oncall()).filter((e) => e.rule === 'probe.many_orgs')).toHaveLength(1);
    // Each burst sits inside one dedupe bucket (one alert per rule and window): spread from "now" it could
    // straddle a bucket boundary and alert in both.
    const errorsFrom = startOfNextWindow(RULES.serverErrors.windowMs);
    for (let i = 0; i < RULES.serverErrors.threshold; i++) monitor().serverError({ route: 'GET /api/orgs/:orgId/metrics', at: new Date(errorsFrom + 1000 + i * 1000) });
    await monitor().settled();
    expect((await oncall()).filter((e) => e.rule === 'errors.5xx_burst')).toHaveLength(1);
    const deniedFrom = startOfNextWindow(RULES.deniedCrossTenant.windowMs);
    for (let i = 0; i < RULES.deniedCrossTenant.threshold; i++) monitor().crossTenantDenied({ ip: `192.0.2.${i % 200}`, orgId: quiet[i % 2]!.id, at: new Date(deniedFrom + 1000 + i * 1000) });
    await monitor().settled();
    expect((await oncall()).filter((e) => e.rule === 'denied.cross_tenant_spike')).toHaveLength(1);
    expect((await oncall()).every((e) => e.alerted_at !== null)).toBe(true);
  });
});

describe('the country header', () => {
  const opts = { countryHeader: 'cloudfront-viewer-country', trustProxy: ['10.0.0.0/8'] };
  it('is believed only when the request came through a trusted proxy', () => {
    expect(trustedCountry({ ips: ['10.0.0.5', '198.51.100.1'], headers: { 'cloudfront-viewer-country': 'GB' } }, opts)).toBe('GB');
    // Straight from the client (the socket peer is not a trusted proxy): ignored.
    expect(trustedCountry({ ips: ['198.51.100.1'], headers: { 'cloudfront-viewer-country': 'GB' } }, opts)).toBeNull();
    expect(trustedCountry({ ips: undefined, headers: { 'cloudfront-viewer-country': 'GB' } }, opts)).toBeNull();
    expect(trustedCountry({ ips: ['10.0.0.5', '198.51.100.1'], headers: { 'cloudfront-viewer-country': 'GB' } }, { countryHeader: undefined, trustProxy: opts.trustProxy })).toBeNull();
  });
});
