// Offboarding a staff member: one call ends everything at once — the account is disabled, every session is
// deleted (the next request with the cookie is anonymous), every pending or approved grant in every
// organisation is revoked (and recorded in that organisation's audit log), and an unfinished setup link is
// spent. Nothing waits for an expiry.
import { appendAudit } from '../audit/index.js';
import { withoutOrg } from '../db/tenant.js';
import { findStaffByEmail } from './staff-accounts.js';
import type { StaffDeps } from './staff-deps.js';
import { endStaffSessions } from './staff-sessions.js';
import { withStaff } from './with-staff.js';

export interface OffboardReport {
  staffId: string;
  sessions: number;
  grants: { id: string; orgId: string; status: string }[];
  alreadyDisabled: boolean;
}

export async function disableStaff(deps: Pick<StaffDeps, 'db' | 'crypto' | 'clock'>, email: string): Promise<OffboardReport | null> {
  const row = await findStaffByEmail(deps, email);
  if (!row) return null;
  const now = deps.clock();
  const sessions = await withoutOrg(deps.db, async (tx) => {
    await tx.updateTable('staff_accounts').set({ disabled_at: row.disabled_at ?? now, setup_token_hash: null, setup_expires_at: null }).where('id', '=', row.id).execute();
    return endStaffSessions(tx, row.id);
  });
  const grants = await withStaff(deps.db, row.id, (tx) =>
    tx
      .updateTable('staff_access_grants')
      .set({ status: 'revoked', revoked_at: now, end_reason: 'staff account disabled' })
      .where('staff_id', '=', row.id)
      .where('status', 'in', ['pending', 'approved'])
      .returning(['id', 'org_id', 'status'])
      .execute(),
  );
  for (const g of grants) {
    await appendAudit(deps.db, {
      orgId: g.org_id,
      actor: { type: 'system' },
      action: 'staff.access.revoked',
      target: { type: 'staff_access_grant', id: g.id },
      metadata: { staffId: row.id, reason: 'staff account disabled' },
      at: now,
    });
  }
  await appendAudit(deps.db, { orgId: null, actor: { type: 'system' }, action: 'staff.disabled', target: { type: 'staff', id: row.id }, metadata: { sessions, grants: grants.length }, at: now });
  return { staffId: row.id, sessions, grants: grants.map((g) => ({ id: g.id, orgId: g.org_id, status: g.status })), alreadyDisabled: row.disabled_at !== null };
}
