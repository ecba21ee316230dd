// Incident records (operators, through `mowt incident …`): open, update, resolve, list and show; the
// affected organisations; and, for a personal-data breach, the 72-hour notice workflow — notices drafted
// from the template as soon as the breach is recorded, mailed to each affected organisation's Admins
// (only theirs), and an on-call alert for any organisation whose notice is overdue.
import { appendAudit } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import type { Mailer } from '../mail/index.js';
import type { Logger } from 'pino';
import { deliverOncallAlert, type OncallConfig } from '../security-events/alerter.js';
import { insertOncallEvent, markOncallAlerted } from '../security-events/events-repo.js';
import { orgAdmins } from '../security-events/org-admins.js';
import { hoursLeft, isNoticeOverdue, noticeDueAt } from './breach-clock.js';
import type { Incident, IncidentSeverity, IncidentStatus } from './incident-tables.table.js';
import { breachNoticeEmail, draftBreachNotice } from './notice-template.js';

export interface IncidentDeps {
  db: Db;
  crypto: FieldCrypto;
  mailer: Mailer;
  logger: Logger;
  clock: Clock;
  baseUrl: () => string;
  oncall: OncallConfig;
}

export class IncidentError extends Error {
  override name = 'IncidentError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OpenIncidentInput {
  title: string;
  severity: IncidentSeverity;
  message: string;
  orgIds: string[];
  breach: boolean;
  breachDetectedAt?: Date;
  public: boolean;
  startedAt?: Date;
}

async function assertOrgsExist(db: Db, orgIds: string[]): Promise<void> {
  for (const id of orgIds) {
    if (!UUID.test(id)) throw new IncidentError(`${JSON.stringify(id)} is not an organisation id`);
    const found = await withOrg(db, id, (tx) => tx.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst());
    if (!found) throw new IncidentError(`no organisation ${id}`);
  }
}

/** Drafts (once) the notice of every affected organisation of a breach incident. Returns how many were drafted. */
async function draftNotices(deps: IncidentDeps, incident: Incident, orgIds: string[]): Promise<number> {
  if (!incident.personal_data_breach || !incident.breach_detected_at) return 0;
  let drafted = 0;
  for (const orgId of orgIds) {
    const summary = await latestMessage(deps.db, incident.id);
    drafted += await withOrg(deps.db, orgId, async (tx) => {
      const org = await tx.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirstOrThrow();
      const { subject, body } = draftBreachNotice({
        orgName: org.name,
        incidentTitle: incident.title,
        detectedAt: incident.breach_detected_at as Date,
        summary,
        statusUrl: `${deps.baseUrl()}/status`,
      });
      const row = await tx
        .insertInto('breach_notices')
        .values({ incident_id: incident.id, org_id: orgId, subject, body, drafted_at: deps.clock() })
        .onConflict((oc) => oc.columns(['incident_id', 'org_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return 0;
      await appendAudit(tx, { orgId, actor: { type: 'system' }, action: 'incident.breach_notice_drafted', target: { type: 'incident', id: incident.id }, at: deps.clock() });
      return 1;
    });
  }
  return drafted;
}

async function latestMessage(db: Db, incidentId: string): Promise<string> {
  const row = await withoutOrg(db, (tx) => tx.selectFrom('incident_updates').select('message').where('incident_id', '=', incidentId).orderBy('at', 'desc').limit(1).executeTakeFirst());
  return row?.message ?? '';
}

export async function getIncident(db: Db, id: string): Promise<Incident> {
  if (!UUID.test(id)) throw new IncidentError(`${JSON.stringify(id)} is not an incident id`);
  const row = await withoutOrg(db, (tx) => tx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst());
  if (!row) throw new IncidentError(`no incident ${id}`);
  return row;
}

export async function openIncident(deps: IncidentDeps, input: OpenIncidentInput): Promise<{ incident: Incident; drafted: number }> {
  await assertOrgsExist(deps.db, input.orgIds);
  const now = deps.clock();
  const incident = await withoutOrg(deps.db, async (tx) => {
    const row = await tx
      .insertInto('incidents')
      .values({
        title: input.title,
        status: 'investigating',
        severity: input.severity,
        started_at: input.startedAt ?? now,
        personal_data_breach: input.breach,
        breach_detected_at: input.breach ? (input.breachDetectedAt ?? now) : null,
        public: input.public,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx.insertInto('incident_updates').values({ incident_id: row.id, at: now, status: 'investigating', message: input.message }).execute();
    if (input.orgIds.length > 0) await tx.insertInto('incident_organisations').values(input.orgIds.map((org_id) => ({ incident_id: row.id, org_id }))).execute();
    return row;
  });
  await appendAudit(deps.db, { orgId: null, actor: { type: 'system' }, action: 'incident.opened', target: { type: 'incident', id: incident.id }, metadata: { severity: input.severity, breach: input.breach, orgs: input.orgIds.length }, at: now });
  const drafted = await draftNotices(deps, incident, input.orgIds);
  return { incident, drafted };
}

export interface UpdateIncidentInput {
  status?: IncidentStatus;
  message: string;
  addOrgIds?: string[];
  /** Mark as a personal-data breach (starts the clock now or at breachDetectedAt). */
  breach?: boolean;
  breachDetectedAt?: Date;
  public?: boolean;
  postmortem?: string;
  publishPostmortem?: boolean;
}

export async function updateIncident(deps: IncidentDeps, id: string, input: UpdateIncidentInput): Promise<{ incident: Incident; drafted: number }> {
  const current = await getIncident(deps.db, id);
  const addOrgIds = input.addOrgIds ?? [];
  await assertOrgsExist(deps.db, addOrgIds);
  const now = deps.clock();
  const status = input.status ?? current.status;
  const becameBreach = input.breach === true && !current.personal_data_breach;
  if (input.publishPostmortem && !(input.postmortem ?? current.postmortem)) throw new IncidentError('publish a post-mortem only with its text (--postmortem-file)');
  const incident = await withoutOrg(deps.db, async (tx) => {
    const row = await tx
      .updateTable('incidents')
      .set({
        status,
        resolved_at: status === 'resolved' ? (current.resolved_at ?? now) : null,
        personal_data_breach: current.personal_data_breach || input.breach === true,
        breach_detected_at: becameBreach ? (input.breachDetectedAt ?? now) : current.breach_detected_at,
        public: input.public ?? current.public,
        postmortem: input.postmortem ?? current.postmortem,
        postmortem_published_at: input.publishPostmortem ? (current.postmortem_published_at ?? now) : input.publishPostmortem === false ? null : current.postmortem_published_at,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx.insertInto('incident_updates').values({ incident_id: id, at: now, status, message: input.message }).execute();
    if (addOrgIds.length > 0) {
      await tx
        .insertInto('incident_organisations')
        .values(addOrgIds.map((org_id) => ({ incident_id: id, org_id })))
        .onConflict((oc) => oc.columns(['incident_id', 'org_id']).doNothing())
        .execute();
    }
    return row;
  });
  await appendAudit(deps.db, { orgId: null, actor: { type: 'system' }, action: 'incident.updated', target: { type: 'incident', id }, metadata: { status, breach: incident.personal_data_breach, addedOrgs: addOrgIds.length }, at: now });
  const orgIds = await affectedOrgIds(deps.db, id);
  const drafted = await draftNotices(deps, incident, orgIds);
  return { incident, drafted };
}

export async function affectedOrgIds(db: Db, incidentId: string): Promise<string[]> {
  const rows = await withoutOrg(db, (tx) => tx.selectFrom('incident_organisations').select('org_id').where('incident_id', '=', incidentId).orderBy('org_id').execute());
  return rows.map((r) => r.org_id);
}

export interface NoticeReport {
  orgId: string;
  recipients: number;
  alreadySent: boolean;
}

/** Mails each affected organisation's drafted notice to that organisation's Admins (and only them). */
export async function sendBreachNotices(deps: IncidentDeps, incidentId: string, opts: { onProgress?: (line: string) => void } = {}): Promise<NoticeReport[]> {
  const incident = await getIncident(deps.db, incidentId);
  if (!incident.personal_data_breach) throw new IncidentError('this incident is not marked as a personal-data breach (incident update --breach)');
  const reports: NoticeReport[] = [];
  for (const orgId of await affectedOrgIds(deps.db, incidentId)) {
    const notice = await withOrg(deps.db, orgId, (tx) => tx.selectFrom('breach_notices').selectAll().where('incident_id', '=', incidentId).where('org_id', '=', orgId).executeTakeFirst());
    if (!notice) throw new IncidentError(`no drafted notice for organisation ${orgId}`);
    if (notice.sent_at) {
      reports.push({ orgId, recipients: notice.recipients ?? 0, alreadySent: true });
      opts.onProgress?.(`${orgId}: already sent ${notice.sent_at.toISOString()} to ${notice.recipients ?? 0} Admin(s)`);
      continue;
    }
    const org = await orgAdmins(deps.db, deps.crypto, orgId);
    const admins = org?.admins ?? [];
    for (const admin of admins) await deps.mailer.send(breachNoticeEmail(admin.email, notice));
    const now = deps.clock();
    await withOrg(deps.db, orgId, async (tx) => {
      await tx.updateTable('breach_notices').set({ sent_at: now, recipients: admins.length }).where('id', '=', notice.id).execute();
      await appendAudit(tx, { orgId, actor: { type: 'system' }, action: 'incident.breach_notice_sent', target: { type: 'incident', id: incidentId }, metadata: { recipients: admins.length }, at: now });
    });
    await withoutOrg(deps.db, (tx) =>
      tx.updateTable('incident_organisations').set({ notice_sent_at: now, notice_recipients: admins.length }).where('incident_id', '=', incidentId).where('org_id', '=', orgId).execute(),
    );
    reports.push({ orgId, recipients: admins.length, alreadySent: false });
    opts.onProgress?.(`${orgId}: notice mailed to ${admins.length} Admin(s)`);
  }
  return reports;
}

export interface OverdueReport {
  incidentId: string;
  orgId: string;
  hoursLate: number;
  alerted: boolean;
}

/**
 * The scheduled check: every affected organisation of a breach whose notice is still unsent after 72 hours
 * raises an on-call alert (once per incident and organisation).
 */
export async function checkBreachDeadlines(deps: IncidentDeps): Promise<OverdueReport[]> {
  const now = deps.clock();
  const rows = await withoutOrg(deps.db, (tx) =>
    tx
      .selectFrom('incident_organisations as io')
      .innerJoin('incidents as i', 'i.id', 'io.incident_id')
      .select(['io.incident_id', 'io.org_id', 'io.notice_sent_at', 'io.overdue_alerted_at', 'i.breach_detected_at', 'i.title'])
      .where('i.personal_data_breach', '=', true)
      .where('io.notice_sent_at', 'is', null)
      .execute(),
  );
  const out: OverdueReport[] = [];
  for (const r of rows) {
    if (!r.breach_detected_at || !isNoticeOverdue(r.breach_detected_at, r.notice_sent_at, now)) continue;
    const hoursLate = -hoursLeft(r.breach_detected_at, now);
    if (r.overdue_alerted_at) {
      out.push({ incidentId: r.incident_id, orgId: r.org_id, hoursLate, alerted: false });
      continue;
    }
    const summary = `Breach notice OVERDUE: incident "${r.title}" — organisation ${r.org_id} has not been notified; the 72-hour deadline was ${noticeDueAt(r.breach_detected_at).toISOString()}`;
    const eventId = await withoutOrg(deps.db, (tx) =>
      insertOncallEvent(tx, { rule: 'incident.breach_notice_overdue', severity: 'critical', at: now, summary, details: { incidentId: r.incident_id, orgId: r.org_id }, dedupeKey: `breach-overdue:${r.incident_id}:${r.org_id}` }),
    );
    if (eventId) {
      const errors = await deliverOncallAlert(deps, { id: eventId, rule: 'incident.breach_notice_overdue', severity: 'critical', summary, at: now, details: { incidentId: r.incident_id, orgId: r.org_id } });
      await withoutOrg(deps.db, (tx) => markOncallAlerted(tx, eventId, now, errors.length ? errors.join('; ') : null));
    }
    await withoutOrg(deps.db, (tx) => tx.updateTable('incident_organisations').set({ overdue_alerted_at: now }).where('incident_id', '=', r.incident_id).where('org_id', '=', r.org_id).execute());
    out.push({ incidentId: r.incident_id, orgId: r.org_id, hoursLate, alerted: true });
  }
  return out;
}

export async function listIncidents(db: Db, opts: { all?: boolean } = {}): Promise<Incident[]> {
  return withoutOrg(db, (tx) => {
    let q = tx.selectFrom('incidents').selectAll();
    if (!opts.all) q = q.where('status', '<>', 'resolved');
    return q.orderBy('started_at', 'desc').limit(200).execute();
  });
}

export async function noticesOf(db: Db, incidentId: string): Promise<{ orgId: string; subject: string; body: string; sentAt: Date | null; recipients: number | null }[]> {
  const out = [];
  for (const orgId of await affectedOrgIds(db, incidentId)) {
    const n = await withOrg(db, orgId, (tx) => tx.selectFrom('breach_notices').selectAll().where('incident_id', '=', incidentId).where('org_id', '=', orgId).executeTakeFirst());
    if (n) out.push({ orgId, subject: n.subject, body: n.body, sentAt: n.sent_at, recipients: n.recipients });
  }
  return out;
}
