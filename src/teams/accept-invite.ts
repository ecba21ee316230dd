// Accepting an invite link. Single use (the invite row is locked and marked accepted in the same
// transaction that adds the membership), valid 7 days, and bound to the invited address:
// - signed in (password + 2FA) as the invited address → that account joins the organisation;
// - not signed in and no account for the address → an account is created with the given password (the
//   address counts as verified: the link was mailed to it) and must enrol 2FA at its first sign-in;
// - not signed in but the address has an account → 409: sign in first, then open the link again.
// Every failure answers with the same message, so a link reveals nothing once it is unusable.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { INVITE_EMAIL_PLACE } from './invite-member.js';
import { hashInviteToken, inviteTokenOrg } from './invite-token.js';
import { insertMembership } from './memberships.js';
import type { Role } from './permissions.js';
import type { TeamsDeps } from './teams-deps.js';

export const INVITE_UNUSABLE = 'this invite link is invalid, was already used, or has expired';

export interface AcceptInviteInput {
  token: string;
  /** The caller's fully signed-in user, if any. */
  signedInUserId: string | null;
  /** For a new account. */
  name?: string;
  password?: string;
  context?: { ip?: string | null; userAgent?: string | null };
}

export interface AcceptedInvite {
  orgId: string;
  userId: string;
  role: Role;
  accountCreated: boolean;
}

export async function acceptInvite(deps: TeamsDeps, input: AcceptInviteInput): Promise<AcceptedInvite> {
  const orgId = inviteTokenOrg(input.token);
  if (!orgId) throw new HttpProblem(400, INVITE_UNUSABLE);
  const now = deps.clock();
  const result = await withOrg(deps.db, orgId, async (tx) => {
    const invite = await tx
      .selectFrom('invites')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('token_hash', '=', hashInviteToken(input.token))
      .forUpdate()
      .executeTakeFirst();
    if (!invite || invite.accepted_at || invite.revoked_at || invite.expires_at.getTime() <= now.getTime()) {
      throw new HttpProblem(400, INVITE_UNUSABLE);
    }
    let userId: string;
    let accountCreated = false;
    if (input.signedInUserId) {
      const user = await tx.selectFrom('users').select(['id', 'email_index']).where('id', '=', input.signedInUserId).executeTakeFirst();
      if (!user || user.email_index !== invite.email_index) {
        throw new HttpProblem(403, 'this invite was sent to a different address than the one you are signed in with');
      }
      userId = user.id;
      const already = await tx.selectFrom('memberships').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      if (already) throw new HttpProblem(409, 'you are already a member of this organisation');
    } else {
      const existing = await tx.selectFrom('users').select('id').where('email_index', '=', invite.email_index).executeTakeFirst();
      if (existing) throw new HttpProblem(409, 'an account with this address exists: sign in, then open the invite link again');
      if (!input.password || !input.name) throw new HttpProblem(422, 'choose a name and a password to create your account');
      const email = await deps.crypto.decryptField(orgId, INVITE_EMAIL_PLACE(invite.id), invite.email_encrypted, tx);
      const org = await tx.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirstOrThrow();
      const created = await deps.createUser({ email, name: input.name, password: input.password, orgName: org.name, emailVerified: true }, tx);
      userId = created.id;
      accountCreated = true;
    }
    await insertMembership(tx, { orgId, userId, role: invite.role, at: now });
    await tx.updateTable('invites').set({ accepted_at: now, accepted_by: userId }).where('id', '=', invite.id).execute();
    await appendAudit(tx, {
      orgId,
      actor: { type: 'user', id: userId },
      action: 'invite.accepted',
      target: { type: 'invite', id: invite.id },
      ip: input.context?.ip,
      userAgent: input.context?.userAgent,
      metadata: { role: invite.role, accountCreated, invitedBy: invite.invited_by },
      at: now,
    });
    return { orgId, userId, role: invite.role, accountCreated };
  });
  return result;
}
