// Mails a signed-in user a single-use 30-minute link confirming their address.
import { withoutOrg } from '../db/tenant.js';
import { verificationEmail } from '../mail/templates.js';
import type { AuthDeps } from './auth-deps.js';
import { appLink, issueAuthToken } from './auth-tokens.js';
import { userEmail } from './users.js';

export const VERIFY_EMAIL_PATH = '/verify-email';

export async function requestEmailVerification(deps: AuthDeps, userId: string): Promise<void> {
  const now = deps.clock();
  const out = await withoutOrg(deps.db, async (tx) => {
    const user = await tx.selectFrom('users').select('email_verified_at').where('id', '=', userId).executeTakeFirstOrThrow();
    if (user.email_verified_at) return null;
    return { token: await issueAuthToken(tx, userId, 'verify-email', now), email: await userEmail(tx, deps.crypto, userId) };
  });
  if (!out) return;
  await deps.mailer.send(verificationEmail(out.email, appLink(deps.config.baseUrl, VERIFY_EMAIL_PATH, out.token)));
}
