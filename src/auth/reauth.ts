// Sudo mode: password + current TOTP code re-authenticate a signed-in user for 10 minutes of sensitive
// actions (change password, 2FA changes, deleting an organisation, API tokens). Password failures count
// towards the same login throttle; code failures towards the 2FA lockout.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { assertFactorOk, checkTotpCode, TooManyAttempts } from './second-factor.js';
import { setRecentAuth } from './sessions.js';
import { passwordHashOf, userEmail } from './users.js';

/** Checks the user's password under the login throttle; throws 401/429 on failure (audited as `action`). */
export async function assertPassword(deps: AuthDeps, userId: string, password: string, meta: RequestMeta, action: string): Promise<string> {
  const { email, hash } = await withoutOrg(deps.db, async (tx) => ({
    email: await userEmail(tx, deps.crypto, userId),
    hash: await passwordHashOf(tx, userId),
  }));
  const verdict = await deps.throttle.check(email, meta.ip);
  if (verdict.blocked) {
    await deps.audit.record({ action: `${action}.throttled`, result: 'denied', userId, ip: meta.ip, userAgent: meta.userAgent });
    throw new TooManyAttempts('too many failed attempts; try again later', verdict.retryAfterSeconds);
  }
  if (verdict.delayMs > 0) await deps.sleep(verdict.delayMs);
  const ok = await deps.hasher.verify(password, hash ?? (await deps.hasher.dummyHash()));
  if (!ok || !hash) {
    await deps.throttle.recordFailure(email, meta.ip);
    await deps.audit.record({ action, result: 'failure', userId, ip: meta.ip, userAgent: meta.userAgent, details: { reason: 'wrong-password' } });
    throw new HttpProblem(401, 'the password is not correct');
  }
  await deps.throttle.recordSuccess(email, meta.ip);
  return email;
}

/** Password and code both checked; throws the matching problem and audits the failure. */
export async function assertPasswordAndCode(
  deps: AuthDeps,
  userId: string,
  input: { password: string; code: string },
  meta: RequestMeta,
  action: string,
): Promise<string> {
  const email = await assertPassword(deps, userId, input.password, meta, action);
  const result = await checkTotpCode(deps, userId, input.code);
  if (result !== 'ok') {
    await deps.audit.record({ action, result: result === 'locked' ? 'denied' : 'failure', userId, ip: meta.ip, userAgent: meta.userAgent, details: { reason: 'wrong-code' } });
  }
  assertFactorOk(result);
  return email;
}

export async function reauthenticate(
  deps: AuthDeps,
  session: { id: string; userId: string },
  input: { password: string; code: string },
  meta: RequestMeta,
): Promise<void> {
  await assertPasswordAndCode(deps, session.userId, input, meta, 'auth.reauth');
  await withoutOrg(deps.db, (tx) => setRecentAuth(tx, session.id, deps.clock()));
  await deps.audit.record({ action: 'auth.reauth', result: 'success', userId: session.userId, ip: meta.ip, userAgent: meta.userAgent, target: session.id });
}
