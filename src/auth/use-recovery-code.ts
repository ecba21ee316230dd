// Step two of signing in with a recovery code instead of a TOTP code. Each code works once; the user is
// mailed, since a recovery code in use may mean a lost (or stolen) authenticator.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { twoFactorChangedEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { notifyUser } from './notify-user.js';
import { assertFactorOk, checkRecoveryCode } from './second-factor.js';
import { rotateSession, type LoadedSession } from './sessions.js';
import { userEmail } from './users.js';

export async function useRecoveryCode(
  deps: AuthDeps,
  session: Pick<LoadedSession, 'id' | 'userId' | 'createdAt' | 'stage'>,
  code: string,
  meta: RequestMeta,
): Promise<{ token: string }> {
  if (session.stage === 'full') throw new HttpProblem(409, 'this session is already fully signed in');
  const result = await checkRecoveryCode(deps, session.userId, code);
  await deps.audit.record({
    action: 'auth.recovery-code',
    result: result === 'ok' ? 'success' : result === 'locked' ? 'denied' : 'failure',
    userId: session.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  assertFactorOk(result);
  const now = deps.clock();
  const out = await withoutOrg(deps.db, async (tx) => {
    const next = await rotateSession(tx, session, { stage: 'full', now, recentAuthAt: now, ip: meta.ip, userAgent: meta.userAgent });
    return { token: next.token, email: await userEmail(tx, deps.crypto, session.userId) };
  });
  await notifyUser(deps, twoFactorChangedEmail(out.email, 'recovery-code-used'));
  return { token: out.token };
}
