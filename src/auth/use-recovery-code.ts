// Step two of signing in with a recovery code instead of a TOTP code. Each code works once; the user is
// mailed, since a recovery code in use may mean a lost (or stolen) authenticator.
import { twoFactorChangedEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { completeSecondFactor } from './complete-second-factor.js';
import { notifyUser } from './notify-user.js';
import { checkRecoveryCode } from './second-factor.js';
import type { LoadedSession } from './sessions.js';
import { userEmail } from './users.js';

export async function useRecoveryCode(
  deps: AuthDeps,
  session: Pick<LoadedSession, 'id' | 'userId' | 'createdAt' | 'stage'>,
  code: string,
  meta: RequestMeta,
): Promise<{ token: string }> {
  const { token, extra: email } = await completeSecondFactor(
    deps,
    session,
    { action: 'auth.recovery-code', check: () => checkRecoveryCode(deps, session.userId, code) },
    meta,
    (tx) => userEmail(tx, deps.crypto, session.userId),
  );
  await notifyUser(deps, twoFactorChangedEmail(email!, 'recovery-code-used'));
  return { token };
}
