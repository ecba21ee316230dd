// Completes a password reset: a live reset token, an acceptable new password and, when the account has 2FA,
// a current TOTP code or a recovery code (a mailbox alone must not be enough to take over an account).
// The token is spent in the same transaction that sets the password; every session of the user ends.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { passwordChangedEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { consumeAuthToken, peekAuthToken } from './auth-tokens.js';
import { notifyUser } from './notify-user.js';
import { assertPasswordAcceptable } from './password-policy.js';
import { assertFactorOk, checkRecoveryCode, checkTotpCode, loadTotp } from './second-factor.js';
import { revokeUserSessions } from './sessions.js';
import { setPasswordHash, userEmail } from './users.js';

export const RESET_LINK_INVALID = 'this reset link is invalid or has expired';

export async function resetPassword(
  deps: AuthDeps,
  input: { token: string; password: string; code?: string },
  meta: RequestMeta,
): Promise<void> {
  const found = await withoutOrg(deps.db, async (tx) => {
    const userId = await peekAuthToken(tx, input.token, 'reset-password', deps.clock());
    if (!userId) return null;
    const totp = await loadTotp(tx, userId);
    return { userId, email: await userEmail(tx, deps.crypto, userId), has2fa: Boolean(totp?.confirmed_at) };
  });
  if (!found) throw new HttpProblem(400, RESET_LINK_INVALID);
  await assertPasswordAcceptable(input.password, { email: found.email }, deps.breachCheck);

  if (found.has2fa) {
    const code = input.code?.trim() ?? '';
    if (code === '') throw new HttpProblem(401, 'enter a code from your authenticator app or a recovery code');
    const result = /^\d{6}$/.test(code) ? await checkTotpCode(deps, found.userId, code) : await checkRecoveryCode(deps, found.userId, code);
    if (result !== 'ok') {
      await deps.audit.record({ action: 'auth.password.reset', result: 'failure', userId: found.userId, ip: meta.ip, userAgent: meta.userAgent, details: { reason: 'wrong-code' } });
    }
    assertFactorOk(result);
  }

  const hash = await deps.hasher.hash(input.password);
  const now = deps.clock();
  await withoutOrg(deps.db, async (tx) => {
    const userId = await consumeAuthToken(tx, input.token, 'reset-password', now);
    if (userId !== found.userId) throw new HttpProblem(400, RESET_LINK_INVALID);
    await setPasswordHash(tx, userId, hash, now);
    // Following the mailed link proves the address.
    await tx.updateTable('users').set({ email_verified_at: now }).where('id', '=', userId).where('email_verified_at', 'is', null).execute();
    await revokeUserSessions(tx, userId);
  });
  await deps.audit.record({ action: 'auth.password.reset', result: 'success', userId: found.userId, ip: meta.ip, userAgent: meta.userAgent });
  await notifyUser(deps, passwordChangedEmail(found.email));
}
