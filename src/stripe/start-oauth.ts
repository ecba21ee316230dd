// Starts the Stripe App install: a random `state` bound to the caller's session (only its hash is stored,
// valid ten minutes, single use) and the consent URL to send the browser to.
import crypto from 'node:crypto';
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { auditActor, type Actor } from './audit-context.js';
import type { StripeDeps } from './stripe-deps.js';

export const STATE_TTL_MS = 10 * 60 * 1000;
export const OAUTH_CALLBACK_PATH = '/api/stripe/oauth/callback';

export const hashState = (state: string): string => crypto.createHash('sha256').update(state).digest('hex');

export interface StartOAuthInput extends Actor {
  orgId: string;
  userId: string;
  sessionId: string;
}

export async function startOAuth(deps: StripeDeps, input: StartOAuthInput): Promise<{ url: string }> {
  if (!deps.oauth) throw new HttpProblem(503, 'Connecting with Stripe is not configured on this server; paste a restricted key instead.');
  // The organisation rides in the state so the public callback can open the right tenant scope; the
  // random part is what makes it unguessable.
  const state = `${input.orgId}.${crypto.randomBytes(32).toString('base64url')}`;
  const now = deps.clock();
  await withOrg(deps.db, input.orgId, async (tx) => {
    await tx.insertInto('stripe_oauth_states').values({
      org_id: input.orgId, state_hash: hashState(state), session_id: input.sessionId, user_id: input.userId,
      created_at: now, expires_at: new Date(now.getTime() + STATE_TTL_MS), used_at: null,
    }).execute();
    await appendAudit(tx, {
      orgId: input.orgId, actor: auditActor(input), action: 'stripe.oauth_started', target: { type: 'organisation', id: input.orgId },
      ip: input.ip ?? null, userAgent: input.userAgent ?? null, at: now,
    });
  });
  return { url: deps.oauth.authorizeUrl(state, `${deps.baseUrl()}${OAUTH_CALLBACK_PATH}`) };
}
