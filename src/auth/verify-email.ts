// Spends an email-verification token and marks the address as confirmed.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { consumeAuthToken } from './auth-tokens.js';

export async function verifyEmail(deps: AuthDeps, token: string, meta: RequestMeta): Promise<void> {
  const now = deps.clock();
  const userId = await withoutOrg(deps.db, async (tx) => {
    const id = await consumeAuthToken(tx, token, 'verify-email', now);
    if (id) await tx.updateTable('users').set({ email_verified_at: now }).where('id', '=', id).execute();
    return id;
  });
  if (!userId) throw new HttpProblem(400, 'this verification link is invalid or has expired');
  await deps.audit.record({ action: 'auth.email.verify', result: 'success', userId, ip: meta.ip, userAgent: meta.userAgent });
}
