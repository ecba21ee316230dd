// Following the link mailed to the new address: switches the encrypted address and its blind index in one
// transaction (which also proves the new address), ends the user's other sessions and voids the links mailed
// to the old address, audits, and tells the old address. The link works once and for 30 minutes
// (email-change-token.ts).
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { emailChangedEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { revokeAuthTokens } from './auth-tokens.js';
import { bindingOf, openEmailChange } from './email-change-token.js';
import { emailField } from './field-crypto.js';
import { notifyUser } from './notify-user.js';
import { revokeUserSessions } from './sessions.js';
import { emailCiphertextOf, emailIndexOf, findUserByEmailIndex, replaceUserEmail } from './users.js';

export const EMAIL_CHANGE_LINK_INVALID = 'this confirmation link is invalid, has expired or was already used';

/** `current`: the caller's session, kept when it belongs to the same user; every other session ends. */
export async function confirmEmailChange(
  deps: AuthDeps,
  token: string,
  current: { sessionId: string; userId: string } | null,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock();
  const changed = await withoutOrg(deps.db, async (tx) => {
    const opened = await openEmailChange(deps.crypto, tx, token, now);
    if (!opened) return null;
    const stored = await emailCiphertextOf(tx, opened.userId);
    if (!stored || bindingOf(stored) !== opened.binding) return null;
    const emailIndex = await emailIndexOf(deps.crypto, opened.newEmail, tx);
    if (await findUserByEmailIndex(tx, emailIndex)) throw new HttpProblem(409, 'an account with this email address already exists');
    const oldEmail = await deps.crypto.decryptSystemField(emailField(opened.userId), stored, tx);
    const emailEncrypted = await deps.crypto.encryptSystemField(emailField(opened.userId), opened.newEmail, tx);
    if (!(await replaceUserEmail(tx, { userId: opened.userId, expected: stored, emailEncrypted, emailIndex, now }))) return null;
    // Reset and verification links went to the old address, whose mailbox may be why the user is leaving it.
    await revokeAuthTokens(tx, opened.userId);
    const keep = current?.userId === opened.userId ? current.sessionId : undefined;
    await revokeUserSessions(tx, opened.userId, keep ? { except: keep } : {});
    return { userId: opened.userId, oldEmail, newEmail: opened.newEmail };
  });
  if (!changed) {
    await deps.audit.record({ action: 'auth.email.change', result: 'failure', userId: null, ip: meta.ip, userAgent: meta.userAgent, details: { reason: 'invalid-link' } });
    throw new HttpProblem(400, EMAIL_CHANGE_LINK_INVALID);
  }
  await deps.audit.record({ action: 'auth.email.change', result: 'success', userId: changed.userId, ip: meta.ip, userAgent: meta.userAgent });
  await notifyUser(deps, emailChangedEmail(changed.oldEmail, changed.newEmail));
}
