// Finishes TOTP enrolment: the first valid code proves the authenticator works. 2FA becomes active, 10
// recovery codes are issued (returned once), the session is rotated to fully authenticated, the user is
// mailed and the change audited.
import { withoutOrg } from '../db/tenant.js';
import { twoFactorChangedEmail } from '../mail/templates.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { SIGN_IN_FIRST } from './auth-plugin.js';
import { issueRecoveryCodes } from './recovery-codes.js';
import { assertFactorOk, checkTotpCode } from './second-factor.js';
import { rotateSession, type LoadedSession } from './sessions.js';
import { userEmail } from './users.js';
import { notifyUser } from './notify-user.js';

export async function confirmTotp(
  deps: AuthDeps,
  session: Pick<LoadedSession, 'id' | 'userId' | 'createdAt'>,
  code: string,
  meta: RequestMeta,
): Promise<{ recoveryCodes: string[]; token: string }> {
  const result = await checkTotpCode(deps, session.userId, code, { pending: true });
  await deps.audit.record({
    action: 'auth.totp.enroll',
    result: result === 'ok' ? 'success' : 'failure',
    userId: session.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  assertFactorOk(result);
  const now = deps.clock();
  const out = await withoutOrg(deps.db, async (tx) => {
    await tx.updateTable('user_totp').set({ confirmed_at: now }).where('user_id', '=', session.userId).execute();
    const recoveryCodes = await issueRecoveryCodes(tx, session.userId);
    const next = await rotateSession(tx, session, { stage: 'full', now, recentAuthAt: now, ip: meta.ip, userAgent: meta.userAgent });
    // Thrown inside the transaction: a session revoked meanwhile neither revives nor activates 2FA.
    if (!next) throw new HttpProblem(401, SIGN_IN_FIRST);
    const email = await userEmail(tx, deps.crypto, session.userId);
    return { recoveryCodes, token: next.token, email };
  });
  await notifyUser(deps, twoFactorChangedEmail(out.email, 'enabled'));
  return { recoveryCodes: out.recoveryCodes, token: out.token };
}
