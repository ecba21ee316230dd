// Replaces the restricted key of a connection (the Admin rolled or revoked the old one in Stripe) without
// losing what was synced: the new key must read the same Stripe account, is proven with read calls first,
// and is stored encrypted like the first. The connection becomes active again and a sync pass is queued.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { auditActor, type Actor } from './audit-context.js';
import { maskToken } from './client.js';
import { checkKeyReads } from './connect-restricted-key.js';
import { findConnection } from './connections.js';
import { tokenPlace, type StripeDeps } from './stripe-deps.js';

export interface ReplaceKeyInput extends Actor {
  orgId: string;
  connectionId: string;
  restrictedKey: string;
}

export async function replaceRestrictedKey(deps: StripeDeps, input: ReplaceKeyInput): Promise<{ connectionId: string; tokenMasked: string }> {
  const key = input.restrictedKey.trim();
  const existing = await withOrg(deps.db, input.orgId, (tx) => findConnection(tx, input.connectionId));
  if (!existing) throw new HttpProblem(404, 'Stripe connection not found');
  if (existing.kind !== 'restricted_key') throw new HttpProblem(400, 'This account is connected through the Stripe App; install the App again instead of pasting a key.');
  const account = await checkKeyReads(deps, key, input.orgId);
  if (account.id !== existing.stripe_account_id || account.livemode !== existing.livemode) {
    throw new HttpProblem(400, `This key reads another Stripe account (${account.id}${account.livemode ? '' : ', test mode'}); a connection keeps its account.`);
  }
  const now = deps.clock();
  const tokenMasked = maskToken(key);
  await withOrg(deps.db, input.orgId, async (tx) => {
    await tx.updateTable('stripe_connections').set({
      token_encrypted: await deps.crypto.encryptField(input.orgId, tokenPlace(input.connectionId, 'token_encrypted'), key, tx),
      token_masked: tokenMasked, status: 'active', last_error: null, updated_at: now,
    }).where('id', '=', input.connectionId).execute();
    await appendAudit(tx, {
      orgId: input.orgId, actor: auditActor(input), action: 'stripe.key_replaced', target: { type: 'stripe_connection', id: input.connectionId },
      ip: input.ip ?? null, userAgent: input.userAgent ?? null, at: now,
      metadata: { stripe_account_id: account.id, previous_key: existing.token_masked, key: tokenMasked },
    });
  });
  deps.requestSync(input.orgId, input.connectionId);
  return { connectionId: input.connectionId, tokenMasked };
}
