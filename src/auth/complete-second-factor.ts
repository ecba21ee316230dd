// The shared second step of signing in, whichever factor is used (TOTP or a recovery code): refuse a session
// that is already full, check the factor, audit the outcome, then rotate the session to the full stage under a
// new token (no session fixation across the privilege change).
import { withoutOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { SIGN_IN_FIRST } from './auth-plugin.js';
import { assertFactorOk, type FactorResult } from './second-factor.js';
import { rotateSession, type LoadedSession } from './sessions.js';

export async function completeSecondFactor<T = undefined>(
  deps: AuthDeps,
  session: Pick<LoadedSession, 'id' | 'userId' | 'createdAt' | 'stage'>,
  factor: { action: string; check: () => Promise<FactorResult> },
  meta: RequestMeta,
  /** Extra reads done in the same transaction as the rotation (e.g. the address to notify). */
  alsoInTx?: (tx: Tx) => Promise<T>,
): Promise<{ token: string; extra: T | undefined }> {
  if (session.stage === 'full') throw new HttpProblem(409, 'this session is already fully signed in');
  const result = await factor.check();
  await deps.audit.record({
    action: factor.action,
    result: result === 'ok' ? 'success' : result === 'locked' ? 'denied' : 'failure',
    userId: session.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  assertFactorOk(result);
  const now = deps.clock();
  return withoutOrg(deps.db, async (tx) => {
    const next = await rotateSession(tx, session, { stage: 'full', now, recentAuthAt: now, ip: meta.ip, userAgent: meta.userAgent });
    if (!next) throw new HttpProblem(401, SIGN_IN_FIRST);
    return { token: next.token, extra: alsoInTx ? await alsoInTx(tx) : undefined };
  });
}
