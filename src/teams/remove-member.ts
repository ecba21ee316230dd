// An Admin removes a member (offboarding): the membership goes, and every session and API token of that
// user ends, so their very next request is refused. The last Admin cannot be removed (409).
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { LAST_ADMIN } from './change-role.js';
import { findMembership, lockAdmins } from './memberships.js';
import type { TeamsDeps } from './teams-deps.js';

export async function removeMember(
  deps: Pick<TeamsDeps, 'db' | 'clock' | 'revokeUserAccess'>,
  input: { orgId: string; actorId: string; userId: string; context?: { ip?: string | null; userAgent?: string | null } },
): Promise<void> {
  const now = deps.clock();
  await withOrg(deps.db, input.orgId, async (tx) => {
    const admins = await lockAdmins(tx, input.orgId);
    const current = await findMembership(tx, input.orgId, input.userId);
    if (!current) throw new HttpProblem(404, 'no member with this id');
    if (current.role === 'admin' && admins.length <= 1) throw new HttpProblem(409, LAST_ADMIN);
    await tx.deleteFrom('memberships').where('org_id', '=', input.orgId).where('user_id', '=', input.userId).execute();
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.actorId },
      action: 'member.removed',
      target: { type: 'user', id: input.userId },
      ip: input.context?.ip,
      userAgent: input.context?.userAgent,
      metadata: { role: current.role, sessionsRevoked: true },
      at: now,
    });
  });
  await deps.revokeUserAccess(input.userId);
}
