// An Admin withdraws a pending invite: its link stops working at once.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { TeamsDeps } from './teams-deps.js';

export async function revokeInvite(
  deps: Pick<TeamsDeps, 'db' | 'clock'>,
  input: { orgId: string; inviteId: string; actorId: string; context?: { ip?: string | null; userAgent?: string | null } },
): Promise<void> {
  const now = deps.clock();
  await withOrg(deps.db, input.orgId, async (tx) => {
    const revoked = await tx
      .updateTable('invites')
      .set({ revoked_at: now })
      .where('org_id', '=', input.orgId)
      .where('id', '=', input.inviteId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('role')
      .executeTakeFirst();
    if (!revoked) throw new HttpProblem(404, 'no pending invite with this id');
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.actorId },
      action: 'invite.revoked',
      target: { type: 'invite', id: input.inviteId },
      ip: input.context?.ip,
      userAgent: input.context?.userAgent,
      metadata: { role: revoked.role },
      at: now,
    });
  });
}
