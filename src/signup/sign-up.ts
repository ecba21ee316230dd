// Public self-serve sign-up: a new organisation, its Admin (the same createUser password policy and
// encryption as every account), a 14-day trial and the sign-up record — one transaction — then the email
// verification. The answer never says whether the address already had an account: an existing address
// gets exactly the same 202 after the same work (the bcrypt hash is computed either way and the creating
// transaction is rolled back), padded to a fixed minimum duration, and its owner gets a mail instead.
// Mail goes out after the answer's timing is fixed, so SMTP latency cannot tell the two cases apart.
import { appendAudit } from '../audit/index.js';
import type { AuthDeps, RequestMeta } from '../auth/auth-deps.js';
import { validEmail } from '../auth/create-user.js';
import { requestEmailVerification } from '../auth/request-email-verification.js';
import type { BillingService } from '../billing/billing-service.js';
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { createOrganisation } from '../teams/create-organisation.js';
import type { TeamsDeps } from '../teams/teams-deps.js';
import { findUserByEmailIndex, emailIndexOf } from '../auth/users.js';
import { signupExistingAccountEmail } from './signup-emails.js';
import type { SignupThrottle } from './signup-throttle.js';

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  orgName: string;
}

export interface SignUpDeps {
  auth: AuthDeps;
  teams: Pick<TeamsDeps, 'db' | 'clock' | 'crypto' | 'createUser'>;
  billing: BillingService;
  throttle: SignupThrottle;
  /** Every answer takes at least this long (ms), whichever path it took. */
  minDurationMs: number;
  /** Runs work after the answer (mail); tests await it. */
  background(task: () => Promise<void>): void;
}

export const SIGNUP_ACCEPTED = 'check your inbox: we sent a link to confirm your address';

export async function signUp(deps: SignUpDeps, input: SignUpInput, meta: RequestMeta): Promise<{ status: 'check_email'; detail: string }> {
  const started = Date.now();
  if (deps.auth.config.signup === 'closed') throw new HttpProblem(403, 'sign-up is closed on this deployment: ask an administrator for an invite', { code: 'signup_closed' });
  const email = validEmail(input.email);
  const wait = await deps.throttle.attempt(email, meta.ip);
  if (wait !== null) throw new HttpProblem(429, `too many sign-up attempts; try again in ${wait} seconds`, { code: 'rate_limited' });

  let outcome: { kind: 'created'; userId: string; orgId: string } | { kind: 'exists' };
  try {
    const created = await createOrganisation(deps.teams, {
      name: input.orgName,
      via: 'signup',
      context: meta,
      actor: (adminId) => ({ type: 'user', id: adminId }),
      admin: (tx) => deps.teams.createUser({ email, name: input.name, password: input.password, orgName: input.orgName }, tx),
      then: async (tx, ids) => {
        await tx.insertInto('signup_accounts').values({ user_id: ids.adminId, org_id: ids.orgId, created_at: deps.auth.clock() }).execute();
        await deps.billing.startTrial(tx, ids.orgId);
      },
    });
    outcome = { kind: 'created', userId: created.adminId, orgId: created.orgId };
  } catch (err) {
    if (!(err instanceof HttpProblem) || err.status !== 409) throw err;
    outcome = { kind: 'exists' };
  }

  const elapsed = Date.now() - started;
  if (elapsed < deps.minDurationMs) await new Promise((r) => setTimeout(r, deps.minDurationMs - elapsed));

  if (outcome.kind === 'created') {
    const { userId } = outcome;
    deps.background(() => requestEmailVerification(deps.auth, userId));
  } else {
    deps.background(async () => {
      const base = deps.auth.config.baseUrl;
      const existing = await withoutOrg(deps.auth.db, async (tx) => findUserByEmailIndex(tx, await emailIndexOf(deps.auth.crypto, email, tx)));
      await appendAudit(deps.auth.db, {
        orgId: null, actor: { type: 'system', id: 'signup' }, action: 'signup.existing_address', target: existing ? { type: 'user', id: existing.id } : null,
        ip: meta.ip, userAgent: meta.userAgent, at: deps.auth.clock(),
      });
      await deps.auth.mailer.send(signupExistingAccountEmail(email, { signIn: `${base}/sign-in`, reset: `${base}/forgot-password` }));
    });
  }
  return { status: 'check_email', detail: SIGNUP_ACCEPTED };
}
