// Step two of signing in: a TOTP code turns a password-stage session into a fully authenticated one.
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { completeSecondFactor } from './complete-second-factor.js';
import { checkTotpCode } from './second-factor.js';
import type { LoadedSession } from './sessions.js';

export async function verifyTotp(
  deps: AuthDeps,
  session: Pick<LoadedSession, 'id' | 'userId' | 'createdAt' | 'stage'>,
  code: string,
  meta: RequestMeta,
): Promise<{ token: string }> {
  const { token } = await completeSecondFactor(deps, session, { action: 'auth.totp.verify', check: () => checkTotpCode(deps, session.userId, code) }, meta);
  return { token };
}
