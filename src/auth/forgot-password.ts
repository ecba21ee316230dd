// "Forgot password": mails a single-use 30-minute reset link when the address has an account. The caller
// always gets the same answer, and the answer waits for the same work either way (throttle, address lookup,
// audit); the link is issued (database writes) and mailed by `deliver`, which the route runs once the answer
// has been sent, so neither a write's commit nor SMTP latency can reveal whether the address exists. At most
// 3 reset mails per address an hour (the answer stays the same when limited).
import { withoutOrg } from '../db/tenant.js';
import { passwordResetEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { appLink, issueAuthToken } from './auth-tokens.js';
import { normaliseEmail } from './field-crypto.js';
import { notifyUser } from './notify-user.js';
import { emailIndexOf, findUserByEmailIndex } from './users.js';

export const RESET_PATH = '/reset-password';

/** `deliver` never throws (a failure is logged): routes run it after answering, tests await it. */
export async function forgotPassword(deps: AuthDeps, email: string, meta: RequestMeta): Promise<{ deliver: () => Promise<void> }> {
  const allowed = await deps.throttle.allowResetMail(email, meta.ip);
  const emailIndex = await emailIndexOf(deps.crypto, email);
  const user = await withoutOrg(deps.db, (tx) => findUserByEmailIndex(tx, emailIndex));
  await deps.audit.record({
    action: 'auth.password.forgot',
    result: allowed ? 'success' : 'denied',
    userId: user?.id ?? null,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { accountExists: user !== null },
  });
  if (!user || !allowed) return { deliver: async () => undefined };
  const userId = user.id;
  return {
    async deliver() {
      try {
        const token = await withoutOrg(deps.db, (tx) => issueAuthToken(tx, userId, 'reset-password', deps.clock()));
        await notifyUser(deps, passwordResetEmail(normaliseEmail(email), appLink(deps.config.baseUrl, RESET_PATH, token)));
      } catch (err) {
        deps.logger.error({ err }, 'could not issue a password reset link');
      }
    },
  };
}
