// Changing the password of a signed-in user: needs sudo mode (a re-authentication in the last 10 minutes),
// ends every other session, and mails the user.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { passwordChangedEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { notifyUser } from './notify-user.js';
import { assertPasswordAcceptable } from './password-policy.js';
import { isRecentlyAuthenticated, revokeUserSessions } from './sessions.js';
import { setPasswordHash, userEmail } from './users.js';

export const SUDO_REQUIRED = 're-authenticate first: this action needs your password and a code from the last 10 minutes';
export const SUDO_REQUIRED_CODE = 'sudo_required';

export function assertSudo(deps: Pick<AuthDeps, 'clock'>, recentAuthAt: Date | null): void {
  if (!isRecentlyAuthenticated(recentAuthAt, deps.clock())) throw new HttpProblem(403, SUDO_REQUIRED, { code: SUDO_REQUIRED_CODE });
}

export async function changePassword(
  deps: AuthDeps,
  session: { id: string; userId: string; recentAuthAt: Date | null },
  newPassword: string,
  meta: RequestMeta,
): Promise<void> {
  assertSudo(deps, session.recentAuthAt);
  const email = await withoutOrg(deps.db, (tx) => userEmail(tx, deps.crypto, session.userId));
  await assertPasswordAcceptable(newPassword, { email }, deps.breachCheck);
  const hash = await deps.hasher.hash(newPassword);
  const now = deps.clock();
  await withoutOrg(deps.db, async (tx) => {
    await setPasswordHash(tx, session.userId, hash, now);
    await revokeUserSessions(tx, session.userId, { except: session.id });
  });
  await deps.audit.record({ action: 'auth.password.change', result: 'success', userId: session.userId, ip: meta.ip, userAgent: meta.userAgent });
  await notifyUser(deps, passwordChangedEmail(email));
}
