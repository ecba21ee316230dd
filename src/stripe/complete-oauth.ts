// The OAuth callback: the state must be one this same session started, unexpired and unused; it is burnt
// before the code is exchanged, so a replayed callback fails even if the exchange did not finish. Tokens
// are stored encrypted under the 'stripe' key; reconnecting an account already connected refreshes its tokens.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { auditActor, type Actor } from './audit-context.js';
import { maskToken } from './client.js';
import { insertConnection, setDirectoryKind } from './connections.js';
import { hashState } from './start-oauth.js';
import { tokenPlace, type StripeDeps } from './stripe-deps.js';

const STATE_SHAPE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/;
export const BAD_STATE = 'This Stripe authorisation link is invalid, expired or was started in another session; start again.';

export interface CompleteOAuthInput extends Actor {
  code: string;
  state: string;
  userId: string;
  sessionId: string;
}

export async function completeOAuth(deps: StripeDeps, input: CompleteOAuthInput): Promise<{ orgId: string; connectionId: string }> {
  if (!deps.oauth) throw new HttpProblem(503, 'Connecting with Stripe is not configured on this server.');
  const orgId = STATE_SHAPE.exec(input.state)?.[1];
  if (!orgId) throw new HttpProblem(400, BAD_STATE);
  const now = deps.clock();
  const valid = await withOrg(deps.db, orgId, async (tx) => {
    const burnt = await tx.updateTable('stripe_oauth_states').set({ used_at: now })
      .where('state_hash', '=', hashState(input.state)).where('used_at', 'is', null).where('expires_at', '>', now)
      .where('session_id', '=', input.sessionId).where('user_id', '=', input.userId)
      .returning('id').executeTakeFirst();
    return burnt !== undefined;
  });
  if (!valid) {
    await appendAudit(deps.db, {
      orgId, actor: auditActor(input), action: 'stripe.oauth_rejected', result: 'denied', ip: input.ip ?? null, userAgent: input.userAgent ?? null, at: now,
    });
    throw new HttpProblem(400, BAD_STATE);
  }
  let tokens;
  try {
    tokens = await deps.oauth.exchangeCode(input.code, now);
  } catch {
    throw new HttpProblem(400, 'Stripe did not accept the authorisation code; start again.');
  }
  const reader = deps.readerFor(tokens.accessToken, `validate:${orgId}`);
  const account = await reader.account();
  const connectionId = await withOrg(deps.db, orgId, async (tx) => {
    const existing = await tx.selectFrom('stripe_connections').select(['id', 'kind'])
      .where('stripe_account_id', '=', tokens.stripeAccountId).where('livemode', '=', tokens.livemode).executeTakeFirst();
    const id = existing?.id ?? await insertConnection(tx, {
      orgId, kind: 'oauth', stripeAccountId: tokens.stripeAccountId, livemode: tokens.livemode, accountCreated: account.created,
      label: account.name ?? tokens.stripeAccountId, tokenMasked: maskToken(tokens.accessToken), createdBy: input.userId, now,
    });
    await tx.updateTable('stripe_connections').set({
      kind: 'oauth',
      token_encrypted: await deps.crypto.encryptField(orgId, tokenPlace(id, 'token_encrypted'), tokens.accessToken, tx),
      refresh_token_encrypted: await deps.crypto.encryptField(orgId, tokenPlace(id, 'refresh_token_encrypted'), tokens.refreshToken, tx),
      token_expires_at: tokens.expiresAt, token_masked: maskToken(tokens.accessToken), status: 'active', last_error: null, updated_at: now,
      // A restricted-key connection taken over by the App: its own webhook endpoint no longer applies.
      ...(existing && existing.kind !== 'oauth' ? { webhook_secret_encrypted: null } : {}),
    }).where('id', '=', id).execute();
    // …and the App's events (routed by account among OAuth connections) must find it.
    if (existing && existing.kind !== 'oauth') await setDirectoryKind(tx, { connectionId: id, orgId, stripeAccountId: tokens.stripeAccountId, kind: 'oauth', livemode: tokens.livemode });
    await appendAudit(tx, {
      orgId, actor: auditActor(input), action: 'stripe.connected', target: { type: 'stripe_connection', id },
      ip: input.ip ?? null, userAgent: input.userAgent ?? null, at: now,
      metadata: { kind: 'oauth', stripe_account_id: tokens.stripeAccountId, livemode: tokens.livemode, reconnected: existing !== undefined },
    });
    return id;
  });
  deps.requestSync(orgId, connectionId);
  return { orgId, connectionId };
}
