// Incidents and breach notices on PGlite and PostgreSQL, with an injected clock and a real SMTP server:
// the 72-hour clock (71 h: quiet; 73 h: on-call alerted, once), notices drafted at once and delivered to the
// affected organisations' Admins only, and the public status page (JSON and CSP-clean HTML).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../auth/test-support.js';
import { withOrg } from '../db/tenant.js';
import { smtpMailer } from '../mail/smtp-mailer.js';
import { decodeMail, startTestSmtpServer, type TestSmtpServer } from '../mail/test-smtp-server.js';
import { createLogger } from '../http/logger.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { newMember, newOrg, startTeamsApp, TestBrowser, type SignedIn, type TeamsApp, type TestOrg } from '../../test/security/support.js';
import { isNoticeOverdue, noticeDueAt } from './breach-clock.js';
import { runIncident } from './incident-command.js';
import { checkBreachDeadlines, openIncident, sendBreachNotices, updateIncident, type IncidentDeps } from './incidents.js';
import { PublicStatusSchema } from './status-page.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';

const HOUR = 3_600_000;

describe('the 72-hour clock', () => {
  it('is due at 72 h and overdue after, unless the notice was sent', () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    expect(noticeDueAt(t0).toISOString()).toBe('2026-03-05T09:00:00.000Z');
    expect(isNoticeOverdue(t0, null, new Date(t0.getTime() + 71 * HOUR))).toBe(false);
    expect(isNoticeOverdue(t0, null, new Date(t0.getTime() + 72 * HOUR))).toBe(false);
    expect(isNoticeOverdue(t0, null, new Date(t0.getTime() + 73 * HOUR))).toBe(true);
    expect(isNoticeOverdue(t0, new Date(t0.getTime() + 10 * HOUR), new Date(t0.getTime() + 73 * HOUR))).toBe(false);
  });
});

describe.each(DB_KINDS)('incidents and breach notices on %s', (kind) => {
  let t: TestDatabase;
  let smtp: TestSmtpServer;
  let app: TeamsApp;
  let a: TestOrg;
  let a2: SignedIn;
  let aMember: SignedIn;
  let b: TestOrg;
  let c: TestOrg;
  let deps: IncidentDeps;
  const clock = manualClock(new Date('2026-03-02T09:00:00Z'));
  const out: string[] = [];

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    a = await newOrg(app, 'Affected A');
    a2 = await newMember(app, a.id, 'admin');
    aMember = await newMember(app, a.id, 'member');
    b = await newOrg(app, 'Affected B');
    c = await newOrg(app, 'Unaffected C');
    deps = {
      db: app.db,
      crypto: app.services.crypto,
      mailer: smtpMailer({ url: smtp.url, from: 'Mowt <security@mowt.test>' }),
      logger: createLogger({ level: 'silent' }),
      clock,
      baseUrl: () => 'https://mowt.test',
      oncall: { email: 'oncall@mowt.test' },
    };
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
    await smtp?.close();
  });

  it('drafts notices at once, alerts on-call only after 72 hours, and mails the affected Admins only', async () => {
    const t0 = clock();
    const { incident, drafted } = await openIncident(deps, {
      title: 'Unauthorised read of exported CSV files',
      severity: 'major',
      message: 'A misconfigured export link was reachable without a session for 40 minutes.',
      orgIds: [a.id, b.id],
      breach: true,
      public: false,
    });
    expect(drafted).toBe(2);
    const draft = await withOrg(app.db, a.id, (tx) => tx.selectFrom('breach_notices').selectAll().where('incident_id', '=', incident.id).executeTakeFirstOrThrow());
    expect(draft.subject).toContain('Affected A');
    expect(draft.body).toContain('misconfigured export link');
    expect(draft.sent_at).toBeNull();
    // Another organisation cannot see A's notice.
    expect(await withOrg(app.db, c.id, (tx) => tx.selectFrom('breach_notices').selectAll().execute())).toEqual([]);

    clock.set(new Date(t0.getTime() + 71 * HOUR));
    expect(await checkBreachDeadlines(deps)).toEqual([]);
    clock.set(new Date(t0.getTime() + 73 * HOUR));
    const overdue = await checkBreachDeadlines(deps);
    expect(overdue.map((o) => [o.orgId, o.alerted]).sort()).toEqual([[a.id, true], [b.id, true]].sort());
    const alert = await smtp.waitFor((m) => m.to.includes('oncall@mowt.test') && decodeMail(m.raw).includes('OVERDUE'));
    expect(decodeMail(alert.raw)).toContain('Unauthorised read of exported CSV files');
    // Alerted once per organisation, not on every run.
    const before = smtp.received.length;
    expect((await checkBreachDeadlines(deps)).every((o) => !o.alerted)).toBe(true);
    expect(smtp.received.length).toBe(before);

    const reports = await sendBreachNotices(deps, incident.id);
    expect(reports.map((r) => r.recipients).sort()).toEqual([1, 2]);
    for (const to of [a.admin.email, a2.email, b.admin.email]) {
      const m = await smtp.waitFor((x) => x.to.includes(to) && decodeMail(x.raw).includes('personal data breach'));
      expect(decodeMail(m.raw)).toContain(to === b.admin.email ? 'Affected B' : 'Affected A');
    }
    const noticeRecipients = smtp.received.filter((x) => decodeMail(x.raw).includes('Subject: Important: a personal data breach')).flatMap((x) => x.to);
    expect(noticeRecipients.sort()).toEqual([a.admin.email, a2.email, b.admin.email].sort());
    expect(noticeRecipients).not.toContain(aMember.email);
    expect(noticeRecipients).not.toContain(c.admin.email);
    // Sent notices stop the clock; sending again sends nothing.
    expect(await checkBreachDeadlines(deps)).toEqual([]);
    expect((await sendBreachNotices(deps, incident.id)).every((r) => r.alreadySent)).toBe(true);
    const audit = await withOrg(app.db, a.id, (tx) => tx.selectFrom('audit_log').select('action').where('org_id', '=', a.id).where('action', 'like', 'incident.%').execute());
    expect(audit.map((x) => x.action).sort()).toEqual(['incident.breach_notice_drafted', 'incident.breach_notice_sent']);
  });

  it('starts the clock when an incident becomes a breach later, and the CLI reports the deadline', async () => {
    clock.set(new Date('2026-04-01T12:00:00Z'));
    const { incident } = await openIncident(deps, { title: 'Elevated error rate', severity: 'minor', message: 'Investigating 5xx on dashboards.', orgIds: [], breach: false, public: false });
    expect(await checkBreachDeadlines(deps)).toEqual([]);
    const { drafted } = await updateIncident(deps, incident.id, { message: 'Logs show customer emails were written to a shared bucket.', breach: true, addOrgIds: [c.id] });
    expect(drafted).toBe(1);
    clock.advance(71 * HOUR);
    const ctx = { ...deps, out: (l: string) => out.push(l) };
    expect(await runIncident(ctx, 'show', { id: incident.id })).toBe(0);
    expect(out.join('\n')).toMatch(/notices due by 2026-04-04T12:00:00.000Z \(1 h left\)/);
    expect(await runIncident(ctx, 'check-deadlines', {})).toBe(0);
    clock.advance(2 * HOUR);
    expect(await runIncident(ctx, 'check-deadlines', {})).toBe(1);
    expect(await runIncident(ctx, 'notify', { id: incident.id })).toBe(0);
    expect(await runIncident(ctx, 'check-deadlines', {})).toBe(0);
    expect(await runIncident(ctx, 'update', { id: 'not-an-id', message: 'x' })).toBe(1);
    expect(await runIncident(ctx, 'open', { title: 'x', severity: 'catastrophic', message: 'y' })).toBe(1);
  });

  it('publishes public incidents and post-mortems on /status (JSON and CSP-clean HTML), never the organisations', async () => {
    const ctx = { ...deps, clock: app.clock, out: (l: string) => out.push(l) };
    const open = await openIncident(ctx, { title: 'Dashboard outage <script>', severity: 'critical', message: 'Dashboards fail to load.', orgIds: [a.id], breach: false, public: true });
    let status = (await new TestBrowser(app.server).request('GET', '/api/status')).json() as { status: string; incidents: { title: string; postmortem: unknown }[] };
    expect(status.status).toBe('major_outage');
    await updateIncident(ctx, open.incident.id, { status: 'resolved', message: 'Fixed: a bad deploy was rolled back.', postmortem: 'What happened\n\nA deploy broke the dashboards for 20 minutes.', publishPostmortem: true });
    const res = await new TestBrowser(app.server).request('GET', '/api/status');
    expect(res.statusCode).toBe(200);
    // Exactly what the page may show of an incident (the schema is the allow-list), its updates included.
    expect(shapeReport(PublicStatusSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    status = res.json() as typeof status;
    expect(status.status).toBe('operational');
    const shown = status.incidents.find((i) => i.title === 'Dashboard outage <script>');
    expect(shown?.postmortem).toMatchObject({ text: 'What happened\n\nA deploy broke the dashboards for 20 minutes.' });
    expect(JSON.stringify(status)).not.toContain(a.id);
    // Private incidents stay off the page.
    expect(status.incidents.some((i) => i.title === 'Elevated error rate')).toBe(false);

    const html = await new TestBrowser(app.server).request('GET', '/status');
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('Dashboard outage &lt;script&gt;');
    expect(html.body).toContain('A deploy broke the dashboards for 20 minutes.');
    expect(html.body).not.toMatch(/<script|style=|<style/i);
    const csp = String(html.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    const css = await new TestBrowser(app.server).request('GET', '/status.css');
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect((await new TestBrowser(app.server).request('GET', '/api/status?x=1')).statusCode).toBe(400);
  });
});
