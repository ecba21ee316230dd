// Turning 2FA off (also the first half of resetting it to a new device): needs the password and a current
// code. Every other session ends and this one drops back to the password stage, so the user can do nothing
// but enrol again (2FA is mandatory). Audited, and the user is mailed.
import { withoutOrg } from '../db/tenant.js';
import { twoFactorChangedEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { notifyUser } from './notify-user.js';
import { assertPasswordAndCode } from './reauth.js';
import { revokeUserSessions } from './sessions.js';

export async function disableTotp(
  deps: AuthDeps,
  session: { id: string; userId: string },
  input: { password: string; code: string },
  meta: RequestMeta,
): Promise<void> {
  const email = await assertPasswordAndCode(deps, session.userId, input, meta, 'auth.totp.disable');
  await withoutOrg(deps.db, async (tx) => {
    // user_totp first: the same lock order as a code check (second-factor.ts), so the two cannot deadlock.
    await tx.deleteFrom('user_totp').where('user_id', '=', session.userId).execute();
    await tx.deleteFrom('recovery_codes').where('user_id', '=', session.userId).execute();
    await revokeUserSessions(tx, session.userId, { except: session.id });
    await tx.updateTable('sessions').set({ stage: 'password', recent_auth_at: null }).where('id', '=', session.id).execute();
  });
  await deps.audit.record({ action: 'auth.totp.disable', result: 'success', userId: session.userId, ip: meta.ip, userAgent: meta.userAgent });
  await notifyUser(deps, twoFactorChangedEmail(email, 'disabled'));
}
