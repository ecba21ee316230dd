// Asking to change the address of a signed-in account: needs sudo mode. A confirmation link (single-use,
// 30 minutes, see email-change-token.ts) goes to the NEW address and a notice to the current one. When
// the new address already has an account the caller gets the same answer and the same work is done; that
// address is told someone tried instead, so nobody learns from this route which addresses have accounts.
// Mail is sent after the answer, so SMTP latency cannot tell the two cases apart either.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { emailChangeConfirmEmail, emailChangeRequestedEmail, emailChangeTakenEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { appLink } from './auth-tokens.js';
import { assertSudo } from './change-password.js';
import { validEmail } from './create-user.js';
import { sealEmailChange } from './email-change-token.js';
import { emailField } from './field-crypto.js';
import { notifyUser } from './notify-user.js';
import { emailCiphertextOf, emailIndexOf, findUserByEmailIndex } from './users.js';

export const CONFIRM_EMAIL_CHANGE_PATH = '/confirm-email-change';

/** Returns the background delivery (tests may await it; routes do not). */
export async function requestEmailChange(
  deps: AuthDeps,
  session: { userId: string; recentAuthAt: Date | null },
  newEmailInput: string,
  meta: RequestMeta,
): Promise<{ delivery: Promise<void> }> {
  assertSudo(deps, session.recentAuthAt);
  const newEmail = validEmail(newEmailInput);
  const now = deps.clock();
  const found = await withoutOrg(deps.db, async (tx) => {
    const current = await emailCiphertextOf(tx, session.userId);
    if (!current) throw new HttpProblem(401, 'sign in first');
    const oldEmail = await deps.crypto.decryptSystemField(emailField(session.userId), current, tx);
    if (oldEmail === newEmail) throw new HttpProblem(422, 'this is already your email address');
    const taken = (await findUserByEmailIndex(tx, await emailIndexOf(deps.crypto, newEmail, tx))) !== null;
    // Sealed either way: the same work whether or not the address is taken.
    const token = await sealEmailChange(deps.crypto, tx, { userId: session.userId, newEmail, currentCiphertext: current, now });
    return { oldEmail, token: taken ? null : token };
  });
  await deps.audit.record({
    action: 'auth.email.change.request',
    result: 'success',
    userId: session.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { addressTaken: found.token === null },
  });
  const toNew = found.token
    ? emailChangeConfirmEmail(newEmail, appLink(deps.config.baseUrl, CONFIRM_EMAIL_CHANGE_PATH, found.token))
    : emailChangeTakenEmail(newEmail);
  const delivery = Promise.all([notifyUser(deps, toNew), notifyUser(deps, emailChangeRequestedEmail(found.oldEmail, newEmail))]).then(() => undefined);
  return { delivery };
}
