// An Admin invites someone by address with a role: a single-use link valid for 7 days, mailed to them.
// Inviting an address that already has a pending invite replaces it (the old link stops working), so
// "re-send" is simply inviting again. The address is stored encrypted under the organisation's key with a
// blind index; the audit entry names the invite, never the address.
import crypto from 'node:crypto';
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { inviteEmail } from '../mail/templates.js';
import { hashInviteToken, inviteLink, newInviteToken } from './invite-token.js';
import { ROLE_LABELS, type Role } from './permissions.js';
import type { TeamsDeps } from './teams-deps.js';

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface InviteInput {
  orgId: string;
  invitedBy: string;
  email: string;
  role: Role;
  context?: { ip?: string | null; userAgent?: string | null };
}

export interface InviteResult {
  id: string;
  role: Role;
  expiresAt: Date;
  emailSent: boolean;
  /** True when a pending invite to the same address was replaced. */
  replaced: boolean;
}

export const INVITE_EMAIL_PLACE = (inviteId: string) => ({ table: 'invites', column: 'email_encrypted', rowId: inviteId });

export async function inviteMember(deps: TeamsDeps, input: InviteInput): Promise<InviteResult> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new HttpProblem(422, 'email is not a valid address');
  const emailIndex = await deps.userEmailIndex(email);
  const now = deps.clock();
  const id = crypto.randomUUID();
  const token = newInviteToken(input.orgId);
  const expiresAt = new Date(now.getTime() + INVITE_TTL_MS);

  const { orgName, inviterName, replaced } = await withOrg(deps.db, input.orgId, async (tx) => {
    const existingMember = await tx
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('m.user_id')
      .where('m.org_id', '=', input.orgId)
      .where('u.email_index', '=', emailIndex)
      .executeTakeFirst();
    if (existingMember) throw new HttpProblem(409, 'this person is already a member; change their role instead');
    const superseded = await tx
      .updateTable('invites')
      .set({ revoked_at: now })
      .where('org_id', '=', input.orgId)
      .where('email_index', '=', emailIndex)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    const emailEncrypted = await deps.crypto.encryptField(input.orgId, INVITE_EMAIL_PLACE(id), email, tx);
    await tx
      .insertInto('invites')
      .values({
        id,
        org_id: input.orgId,
        email_index: emailIndex,
        email_encrypted: emailEncrypted,
        role: input.role,
        token_hash: hashInviteToken(token),
        invited_by: input.invitedBy,
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    const org = await tx.selectFrom('organisations').select('name').where('id', '=', input.orgId).executeTakeFirstOrThrow();
    const inviter = await tx.selectFrom('users').select('name').where('id', '=', input.invitedBy).executeTakeFirst();
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.invitedBy },
      action: 'invite.created',
      target: { type: 'invite', id },
      ip: input.context?.ip,
      userAgent: input.context?.userAgent,
      metadata: { role: input.role, replaces: superseded.map((s) => s.id) },
      at: now,
    });
    return { orgName: org.name, inviterName: inviter?.name ?? 'An Admin', replaced: superseded.length > 0 };
  });

  // Mail after commit: a link is never sent for an invite that did not save. A mail failure leaves the
  // invite in place (the Admin sees emailSent: false and can invite again to re-send).
  let emailSent = true;
  try {
    await deps.mailer.send(
      inviteEmail(email, { orgName, role: ROLE_LABELS[input.role], inviterName, link: inviteLink(deps.baseUrl(), token) }),
    );
  } catch (err) {
    emailSent = false;
    deps.logger.error({ err, inviteId: id }, 'invite mail could not be sent');
  }
  return { id, role: input.role, expiresAt, emailSent, replaced };
}
