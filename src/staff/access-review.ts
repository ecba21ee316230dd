// The monthly access review (`mowt access-review --month YYYY-MM`): every staff access request whose
// request, decision or access window touched the month, across all organisations, with who asked, why,
// who decided, for how long, and how many requests were made under it. Read per staff member through their
// own RLS scope, and per organisation (reason, name) inside that organisation's scope.
import { withOrg, withoutOrg } from '../db/tenant.js';
import { grantState } from './grants.js';
import { reasonField } from './grants.js';
import { staffEmail } from './staff-accounts.js';
import type { StaffDeps } from './staff-deps.js';
import { withStaff } from './with-staff.js';

export interface ReviewLine {
  grantId: string;
  staff: string;
  staffDisabled: boolean;
  orgId: string;
  orgName: string;
  reason: string;
  requestedAt: Date;
  requestedHours: number;
  status: string;
  decidedAt: Date | null;
  decidedBy: string | null;
  startsAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  endReason: string | null;
  requestCount: number;
  staffRequestsInMonth: { allowed: number; refused: number };
}

export function monthRange(month: string): { from: Date; to: Date } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new RangeError('month must look like YYYY-MM');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: new Date(Date.UTC(y, mo - 1, 1)), to: new Date(Date.UTC(y, mo, 1)) };
}

export interface StaffRequestTally {
  staff: string;
  orgId: string;
  allowed: number;
  refused: number;
}

export async function accessReview(deps: Pick<StaffDeps, 'db' | 'crypto' | 'clock'>, month: string): Promise<{ from: Date; to: Date; lines: ReviewLine[]; requests: StaffRequestTally[] }> {
  const { from, to } = monthRange(month);
  const now = deps.clock();
  const staff = await withoutOrg(deps.db, (tx) => tx.selectFrom('staff_accounts').select(['id', 'email_encrypted', 'disabled_at']).orderBy('created_at').execute());
  const lines: ReviewLine[] = [];
  const emails = new Map<string, string>();
  for (const s of staff) {
    const email = await staffEmail(deps, s);
    emails.set(s.id, email);
    const grants = await withStaff(deps.db, s.id, (tx) =>
      tx
        .selectFrom('staff_access_grants')
        .selectAll()
        .where('staff_id', '=', s.id)
        .where((eb) =>
          eb.or([
            eb.and([eb('requested_at', '>=', from), eb('requested_at', '<', to)]),
            eb.and([eb('decided_at', '>=', from), eb('decided_at', '<', to)]),
            eb.and([eb('starts_at', '<', to), eb('expires_at', '>', from)]),
          ]),
        )
        .orderBy('requested_at')
        .execute(),
    );
    for (const g of grants) {
      const { orgName, reason, allowed, refused } = await withOrg(deps.db, g.org_id, async (tx) => {
        const org = await tx.selectFrom('organisations').select('name').where('id', '=', g.org_id).executeTakeFirst();
        const counts = await tx
          .selectFrom('audit_log')
          .select(['result', (eb) => eb.fn.countAll<string>().as('n')])
          .where('org_id', '=', g.org_id)
          .where('action', '=', 'staff.request')
          .where('actor_id', '=', s.id)
          .where('occurred_at', '>=', from)
          .where('occurred_at', '<', to)
          .groupBy('result')
          .execute();
        return {
          orgName: org?.name ?? '(deleted organisation)',
          reason: await deps.crypto.decryptField(g.org_id, reasonField(g.id), g.reason_encrypted, tx),
          allowed: Number(counts.find((c) => c.result === 'success')?.n ?? 0),
          refused: Number(counts.find((c) => c.result === 'denied')?.n ?? 0),
        };
      });
      lines.push({
        grantId: g.id,
        staff: email,
        staffDisabled: s.disabled_at !== null,
        orgId: g.org_id,
        orgName,
        reason,
        requestedAt: g.requested_at,
        requestedHours: g.requested_hours,
        status: grantState(g, now),
        decidedAt: g.decided_at,
        decidedBy: g.decided_by,
        startsAt: g.starts_at,
        expiresAt: g.expires_at,
        revokedAt: g.revoked_at,
        endReason: g.end_reason,
        requestCount: Number(g.request_count),
        staffRequestsInMonth: { allowed, refused },
      });
    }
  }
  // Every staff request of the month in every organisation's log, refused ones (no consent) included. Read
  // on the owner connection like verify-audit: it spans all organisations' chains.
  const tallies = await deps.db.owner
    .selectFrom('audit_log')
    .select(['org_id', 'actor_id', 'result', (eb) => eb.fn.countAll<string>().as('n')])
    .where('action', '=', 'staff.request')
    .where('actor_type', '=', 'staff')
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .groupBy(['org_id', 'actor_id', 'result'])
    .execute();
  const byKey = new Map<string, StaffRequestTally>();
  for (const t of tallies) {
    const key = `${t.actor_id ?? ''}|${t.org_id ?? ''}`;
    const entry = byKey.get(key) ?? { staff: emails.get(t.actor_id ?? '') ?? `(unknown staff ${t.actor_id ?? ''})`, orgId: t.org_id ?? '', allowed: 0, refused: 0 };
    if (t.result === 'success') entry.allowed += Number(t.n);
    else entry.refused += Number(t.n);
    byKey.set(key, entry);
  }
  return { from, to, lines, requests: [...byKey.values()].sort((a, b) => a.staff.localeCompare(b.staff) || a.orgId.localeCompare(b.orgId)) };
}

export function formatAccessReview(r: Awaited<ReturnType<typeof accessReview>>): string {
  const out: string[] = [];
  out.push(`Staff access review ${r.from.toISOString().slice(0, 7)} (${r.from.toISOString()} – ${r.to.toISOString()})`);
  out.push(`${r.lines.length} access request(s)`);
  for (const l of r.lines) {
    out.push('');
    out.push(`- ${l.staff}${l.staffDisabled ? ' (disabled)' : ''} → ${l.orgName} (${l.orgId})`);
    out.push(`  reason: ${l.reason}`);
    out.push(`  requested ${l.requestedAt.toISOString()} for ${l.requestedHours} h; status ${l.status}${l.decidedAt ? `, decided ${l.decidedAt.toISOString()} by user ${l.decidedBy ?? '(removed)'}` : ''}`);
    if (l.startsAt && l.expiresAt) out.push(`  window ${l.startsAt.toISOString()} – ${l.expiresAt.toISOString()}${l.revokedAt ? `, ended ${l.revokedAt.toISOString()} (${l.endReason ?? 'revoked'})` : ''}`);
    out.push(`  staff requests this month: ${l.staffRequestsInMonth.allowed} allowed, ${l.staffRequestsInMonth.refused} refused (grant total ${l.requestCount})`);
  }
  out.push('');
  out.push('All staff requests to organisation data this month (from the organisations\' audit logs):');
  if (r.requests.length === 0) out.push('  none');
  for (const t of r.requests) out.push(`  ${t.staff} → ${t.orgId}: ${t.allowed} allowed, ${t.refused} refused${t.refused > 0 && t.allowed === 0 ? '  ← refused without consent: check why' : ''}`);
  return `${out.join('\n')}\n`;
}
