// Consent: a staff member asks one organisation for read access with a reason; an Admin approves it for at
// most 72 hours, refuses it, or revokes it at any time. A grant is usable only while approved and before
// expires_at — expiry needs no job, the check compares with the clock. Everything is audited in the
// organisation's own log, so its Admins see every step.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit } from '../audit/index.js';
import { withOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { staffEmail } from './staff-accounts.js';
import { MAX_GRANT_HOURS, type StaffDeps } from './staff-deps.js';
import type { StaffAccessGrant } from './staff-tables.table.js';
import type { GrantState, GrantSummary, GrantView } from './staff-schemas.js';
import { withStaff } from './with-staff.js';

export const reasonField = (id: string) => ({ table: 'staff_access_grants', column: 'reason_encrypted', rowId: id });
const HOUR = 3_600_000;

export type { GrantState, GrantView };

/** What a grant amounts to at `now`: approved grants are 'active' inside their window and 'expired' after it. */
export function grantState(g: Pick<StaffAccessGrant, 'status' | 'starts_at' | 'expires_at'>, now: Date): GrantState {
  if (g.status !== 'approved') return g.status;
  if (!g.starts_at || !g.expires_at) return 'expired';
  const t = now.getTime();
  if (t < g.starts_at.getTime()) return 'approved';
  return t < g.expires_at.getTime() ? 'active' : 'expired';
}

function summary(g: StaffAccessGrant, now: Date): GrantSummary {
  return {
    id: g.id,
    orgId: g.org_id,
    requestedHours: g.requested_hours,
    state: grantState(g, now),
    requestedAt: g.requested_at.toISOString(),
    decidedAt: g.decided_at?.toISOString() ?? null,
    decidedBy: g.decided_by,
    startsAt: g.starts_at?.toISOString() ?? null,
    expiresAt: g.expires_at?.toISOString() ?? null,
    revokedAt: g.revoked_at?.toISOString() ?? null,
    endReason: g.end_reason,
    requestCount: Number(g.request_count),
    lastUsedAt: g.last_used_at?.toISOString() ?? null,
  };
}

async function view(deps: Pick<StaffDeps, 'crypto'>, tx: Tx, g: StaffAccessGrant, now: Date): Promise<GrantView> {
  const staff = await tx.selectFrom('staff_accounts').select(['id', 'name', 'email_encrypted']).where('id', '=', g.staff_id).executeTakeFirstOrThrow();
  return {
    ...summary(g, now),
    staff: { id: staff.id, name: staff.name, email: await staffEmail(deps, staff, tx) },
    reason: await deps.crypto.decryptField(g.org_id, reasonField(g.id), g.reason_encrypted, tx),
  };
}

/** A staff member asks an organisation for access. 404 when there is no such organisation. */
export async function requestAccess(
  deps: StaffDeps,
  input: { staffId: string; orgId: string; reason: string; hours: number; ip: string | null; userAgent: string | null },
): Promise<GrantView> {
  const now = deps.clock();
  const id = randomUUID();
  const out = await withOrg(deps.db, input.orgId, async (tx) => {
    const org = await tx.selectFrom('organisations').select('id').where('id', '=', input.orgId).executeTakeFirst();
    if (!org) throw new HttpProblem(404, 'organisation not found');
    const open = await tx
      .selectFrom('staff_access_grants')
      .select('id')
      .where('org_id', '=', input.orgId)
      .where('staff_id', '=', input.staffId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (open) throw new HttpProblem(409, 'you already have a pending request for this organisation');
    const row = await tx
      .insertInto('staff_access_grants')
      .values({
        id,
        org_id: input.orgId,
        staff_id: input.staffId,
        reason_encrypted: await deps.crypto.encryptField(input.orgId, reasonField(id), input.reason, tx),
        requested_hours: input.hours,
        status: 'pending',
        requested_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const v = await view(deps, tx, row, now);
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'staff', id: input.staffId },
      action: 'staff.access.requested',
      target: { type: 'staff_access_grant', id },
      ip: input.ip,
      userAgent: input.userAgent,
      metadata: { hours: input.hours },
      at: now,
    });
    return v;
  });
  // The Admins learn of the request by mail and as a security event (the event's alert is that mail).
  await deps.monitor.raise({
    orgId: input.orgId,
    rule: 'staff.access_requested',
    severity: 'warning',
    at: now,
    subject: { type: 'staff', id: input.staffId },
    summary: `A Mowt staff member asks for read access for ${input.hours} hours; approve or refuse it under Settings → Staff access`,
    details: { ip: input.ip },
    dedupeKey: `staff-request:${id}`,
  });
  return out;
}

export async function listOrgGrants(deps: StaffDeps, orgId: string): Promise<GrantView[]> {
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    const rows = await tx.selectFrom('staff_access_grants').selectAll().where('org_id', '=', orgId).orderBy('requested_at', 'desc').limit(200).execute();
    const out: GrantView[] = [];
    for (const r of rows) out.push(await view(deps, tx, r, now));
    return out;
  });
}

/** The staff member's own requests across organisations (without their reasons' plaintext per org: decrypted in each org's scope). */
export async function listOwnGrants(deps: StaffDeps, staffId: string): Promise<GrantSummary[]> {
  const now = deps.clock();
  const rows = await withStaff(deps.db, staffId, (tx) => tx.selectFrom('staff_access_grants').selectAll().where('staff_id', '=', staffId).orderBy('requested_at', 'desc').limit(200).execute());
  return rows.map((g) => summary(g, now));
}

type Decision = { kind: 'approve'; hours: number } | { kind: 'refuse' } | { kind: 'revoke' };

/** An Admin's decision on a grant of their organisation (404 for another organisation's or unknown grant). */
export async function decideGrant(
  deps: StaffDeps,
  input: { orgId: string; grantId: string; adminId: string; decision: Decision; ip: string | null; userAgent: string | null },
): Promise<GrantView> {
  const now = deps.clock();
  return withOrg(deps.db, input.orgId, async (tx) => {
    const g = await tx.selectFrom('staff_access_grants').selectAll().where('org_id', '=', input.orgId).where('id', '=', input.grantId).forUpdate().executeTakeFirst();
    if (!g) throw new HttpProblem(404, 'no such access request');
    const state = grantState(g, now);
    const d = input.decision;
    let patch: Partial<Pick<StaffAccessGrant, 'status' | 'decided_at' | 'decided_by' | 'starts_at' | 'expires_at' | 'revoked_at' | 'revoked_by' | 'end_reason'>>;
    if (d.kind === 'approve' || d.kind === 'refuse') {
      if (state !== 'pending') throw new HttpProblem(409, `this request is ${state}, not pending`);
      if (d.kind === 'approve') {
        if (!Number.isInteger(d.hours) || d.hours < 1 || d.hours > MAX_GRANT_HOURS) throw new HttpProblem(400, `approve for 1 to ${MAX_GRANT_HOURS} hours`);
        patch = { status: 'approved', decided_at: now, decided_by: input.adminId, starts_at: now, expires_at: new Date(now.getTime() + d.hours * HOUR) };
      } else {
        patch = { status: 'refused', decided_at: now, decided_by: input.adminId, end_reason: 'refused' };
      }
    } else {
      if (state !== 'active' && state !== 'approved' && state !== 'pending') throw new HttpProblem(409, `this request is ${state}; nothing to revoke`);
      patch = { status: 'revoked', revoked_at: now, revoked_by: input.adminId, end_reason: 'revoked by an Admin' };
    }
    const row = await tx.updateTable('staff_access_grants').set(patch).where('id', '=', g.id).returningAll().executeTakeFirstOrThrow();
    const v = await view(deps, tx, row, now);
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.adminId },
      action: `staff.access.${d.kind === 'approve' ? 'approved' : d.kind === 'refuse' ? 'refused' : 'revoked'}`,
      target: { type: 'staff_access_grant', id: g.id },
      ip: input.ip,
      userAgent: input.userAgent,
      metadata: { staffId: g.staff_id, ...(d.kind === 'approve' ? { hours: d.hours, expiresAt: v.expiresAt } : {}) },
      at: now,
    });
    return v;
  });
}

/** The grant a staff member may read an organisation under right now, or null. */
export async function activeGrant(tx: Tx, orgId: string, staffId: string, now: Date): Promise<StaffAccessGrant | null> {
  const row = await tx
    .selectFrom('staff_access_grants')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('staff_id', '=', staffId)
    .where('status', '=', 'approved')
    .where('starts_at', '<=', now)
    .where('expires_at', '>', now)
    .orderBy('expires_at', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

export async function countGrantUse(tx: Tx, grantId: string, now: Date): Promise<number> {
  const row = await tx
    .updateTable('staff_access_grants')
    .set({ request_count: sql<number>`request_count + 1`, last_used_at: now })
    .where('id', '=', grantId)
    .returning('request_count')
    .executeTakeFirstOrThrow();
  return Number(row.request_count);
}
