// "Forgot password": mails a single-use 30-minute reset link when the address has an account. The caller
// always gets the same answer, and the request does the same work either way (address lookup, token
// generation and hashing); the mail itself is sent after the answer, so SMTP latency cannot reveal whether
// the address exists. At most 3 reset mails per address an hour (the answer stays the same when limited).
import { withoutOrg } from '../db/tenant.js';
import { passwordResetEmail } from '../mail/templates.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { appLink, issueAuthToken } from './auth-tokens.js';
import { normaliseEmail } from './field-crypto.js';
import { notifyUser } from './notify-user.js';
import { hashToken, newToken } from './tokens.js';
import { emailIndexOf, findUserByEmailIndex } from './users.js';

export const RESET_PATH = '/reset-password';

/** Returns the background delivery (tests may await it; routes do not). */
export async function forgotPassword(deps: AuthDeps, email: string, meta: RequestMeta): Promise<{ delivery: Promise<void> }> {
  const now = deps.clock();
  const allowed = await deps.throttle.allowResetMail(email, meta.ip);
  const emailIndex = await emailIndexOf(deps.crypto, email);
  const found = await withoutOrg(deps.db, async (tx) => {
    const user = await findUserByEmailIndex(tx, emailIndex);
    if (!user || !allowed) {
      // Mirror the token work done for a real account.
      hashToken(newToken());
      return user ? { userId: user.id, token: null } : null;
    }
    return { userId: user.id, token: await issueAuthToken(tx, user.id, 'reset-password', now) };
  });
  await deps.audit.record({
    action: 'auth.password.forgot',
    result: allowed ? 'success' : 'denied',
    userId: found?.userId ?? null,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { accountExists: found !== null },
  });
  if (!found?.token) return { delivery: Promise.resolve() };
  const link = appLink(deps.config.baseUrl, RESET_PATH, found.token);
  const delivery = notifyUser(deps, passwordResetEmail(normaliseEmail(email), link));
  return { delivery };
}
