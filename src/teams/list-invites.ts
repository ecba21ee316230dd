// Pending (not accepted, not revoked, not expired) invites of an organisation, addresses decrypted for Admins.
import { withOrg } from '../db/tenant.js';
import { INVITE_EMAIL_PLACE } from './invite-member.js';
import type { TeamsDeps } from './teams-deps.js';
import type { PendingInvite } from './teams-schemas.js';

export type { PendingInvite };

export async function listInvites(deps: Pick<TeamsDeps, 'db' | 'clock' | 'crypto'>, orgId: string): Promise<PendingInvite[]> {
  return withOrg(deps.db, orgId, async (tx) => {
    const rows = await tx
      .selectFrom('invites')
      .select(['id', 'email_encrypted', 'role', 'invited_by', 'created_at', 'expires_at'])
      .where('org_id', '=', orgId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', deps.clock())
      .orderBy('created_at', 'desc')
      .execute();
    const out: PendingInvite[] = [];
    for (const r of rows) {
      out.push({
        id: r.id,
        email: await deps.crypto.decryptField(orgId, INVITE_EMAIL_PLACE(r.id), r.email_encrypted, tx),
        role: r.role,
        invitedBy: r.invited_by,
        createdAt: new Date(r.created_at).toISOString(),
        expiresAt: new Date(r.expires_at).toISOString(),
      });
    }
    return out;
  });
}
