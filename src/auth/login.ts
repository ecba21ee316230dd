// Step one of signing in: email + password. The same answer and the same work whether or not the address
// exists (unknown addresses are compared against a dummy hash). Throttled per (account, IP) and per IP;
// every failure and every limit hit is audited. Success opens a new, password-stage session (any session
// the browser already had is ended: token rotation at login).
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { TooManyAttempts } from './second-factor.js';
import { createSession, deleteSession } from './sessions.js';
import { emailIndexOf, findLoginRecord } from './users.js';
import type { LoginNext } from './auth-schemas.js';

export type { LoginNext };

export const LOGIN_FAILED = 'email or password is incorrect';

export async function login(
  deps: AuthDeps,
  input: { email: string; password: string },
  meta: RequestMeta,
  currentSessionId: string | null,
): Promise<{ next: LoginNext; token: string; userId: string }> {
  const verdict = await deps.throttle.check(input.email, meta.ip);
  if (verdict.blocked) {
    await deps.audit.record({
      action: 'auth.login.throttled',
      result: 'denied',
      userId: null,
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { scope: verdict.scope },
    });
    throw new TooManyAttempts('too many failed sign-in attempts; try again later', verdict.retryAfterSeconds);
  }
  if (verdict.delayMs > 0) await deps.sleep(verdict.delayMs);

  const emailIndex = await emailIndexOf(deps.crypto, input.email);
  const found = await withoutOrg(deps.db, (tx) => findLoginRecord(tx, emailIndex));
  // Always one bcrypt comparison, so an unknown address costs what a wrong password costs.
  const hash = found?.hash ?? (await deps.hasher.dummyHash());
  const passwordOk = await deps.hasher.verify(input.password, hash);

  if (!found || !found.hash || !passwordOk) {
    await deps.throttle.recordFailure(input.email, meta.ip);
    await deps.audit.record({
      action: 'auth.login',
      result: 'failure',
      userId: found?.user.id ?? null,
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { reason: found ? 'wrong-password' : 'unknown-email' },
    });
    throw new HttpProblem(401, LOGIN_FAILED);
  }

  await deps.throttle.recordSuccess(input.email, meta.ip);
  const now = deps.clock();
  const session = await withoutOrg(deps.db, async (tx) => {
    if (currentSessionId) await deleteSession(tx, currentSessionId);
    return createSession(tx, { userId: found.user.id, stage: 'password', now, recentAuthAt: null, ip: meta.ip, userAgent: meta.userAgent });
  });
  await deps.audit.record({
    action: 'auth.login.password',
    result: 'success',
    userId: found.user.id,
    ip: meta.ip,
    userAgent: meta.userAgent,
    target: session.id,
  });
  return { next: found.totpConfirmed ? 'totp' : 'enroll-totp', token: session.token, userId: found.user.id };
}
