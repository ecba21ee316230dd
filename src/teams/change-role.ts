// An Admin changes a member's role. The change is read by the permission hook on the member's next request,
// and all of their sessions and API tokens are ended too, so nothing they hold outlives it. An organisation
// never loses its last Admin (409): the Admin rows are locked first, so two Admins demoting each other at
// the same moment cannot both succeed.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { findMembership, lockAdmins } from './memberships.js';
import type { Role } from './permissions.js';
import type { TeamsDeps } from './teams-deps.js';

export const LAST_ADMIN = 'an organisation needs at least one Admin: make someone else Admin first';

export async function changeRole(
  deps: Pick<TeamsDeps, 'db' | 'clock' | 'revokeUserAccess'>,
  input: { orgId: string; actorId: string; userId: string; role: Role; context?: { ip?: string | null; userAgent?: string | null } },
): Promise<{ from: Role; to: Role; changed: boolean }> {
  const now = deps.clock();
  const out = await withOrg(deps.db, input.orgId, async (tx) => {
    const admins = await lockAdmins(tx, input.orgId);
    const current = await findMembership(tx, input.orgId, input.userId);
    if (!current) throw new HttpProblem(404, 'no member with this id');
    if (current.role === input.role) return { from: current.role, to: input.role, changed: false };
    if (current.role === 'admin' && admins.length <= 1) throw new HttpProblem(409, LAST_ADMIN);
    await tx.updateTable('memberships').set({ role: input.role }).where('org_id', '=', input.orgId).where('user_id', '=', input.userId).execute();
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.actorId },
      action: 'member.role_changed',
      target: { type: 'user', id: input.userId },
      ip: input.context?.ip,
      userAgent: input.context?.userAgent,
      metadata: { from: current.role, to: input.role, sessionsRevoked: true },
      at: now,
    });
    return { from: current.role, to: input.role, changed: true };
  });
  if (out.changed) await deps.revokeUserAccess(input.userId);
  return out;
}
