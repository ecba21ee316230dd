// Step two of signing in: a TOTP code turns a password-stage session into a fully authenticated one, under
// a new token (no session fixation across the privilege change).
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { assertFactorOk, checkTotpCode } from './second-factor.js';
import { rotateSession, type LoadedSession } from './sessions.js';

export async function verifyTotp(
  deps: AuthDeps,
  session: Pick<LoadedSession, 'id' | 'userId' | 'createdAt' | 'stage'>,
  code: string,
  meta: RequestMeta,
): Promise<{ token: string }> {
  if (session.stage === 'full') throw new HttpProblem(409, 'this session is already fully signed in');
  const result = await checkTotpCode(deps, session.userId, code);
  await deps.audit.record({
    action: 'auth.totp.verify',
    result: result === 'ok' ? 'success' : result === 'locked' ? 'denied' : 'failure',
    userId: session.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  assertFactorOk(result);
  const now = deps.clock();
  const next = await withoutOrg(deps.db, (tx) =>
    rotateSession(tx, session, { stage: 'full', now, recentAuthAt: now, ip: meta.ip, userAgent: meta.userAgent }),
  );
  return { token: next.token };
}
