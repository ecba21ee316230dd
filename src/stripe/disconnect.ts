// Disconnects a Stripe account: an OAuth grant is revoked at Stripe (deauthorize) first, then the
// connection row — tokens, keys and secrets — and everything synced through it are deleted.
// A restricted key cannot be revoked from here; the answer says so, so the Admin can roll it in Stripe.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { auditActor, type Actor } from './audit-context.js';
import { findConnection } from './connections.js';
import type { StripeDeps } from './stripe-deps.js';

export interface DisconnectInput extends Actor {
  orgId: string;
  connectionId: string;
}

export async function disconnect(deps: StripeDeps, input: DisconnectInput): Promise<{ revokedAtStripe: boolean }> {
  const connection = await withOrg(deps.db, input.orgId, (tx) => findConnection(tx, input.connectionId));
  if (!connection) throw new HttpProblem(404, 'Stripe connection not found');
  let revokedAtStripe = false;
  if (connection.kind === 'oauth') {
    if (!deps.oauth) throw new HttpProblem(503, 'Stripe App credentials are not configured, so the grant cannot be revoked.');
    try {
      await deps.oauth.deauthorize(connection.stripe_account_id);
      revokedAtStripe = true;
    } catch (error) {
      // Already uninstalled on Stripe's side: nothing left to revoke, carry on deleting ours.
      if ((error as { statusCode?: number }).statusCode !== 400) throw new HttpProblem(503, 'Stripe could not be reached to revoke access; try again.');
      revokedAtStripe = true;
    }
  }
  const now = deps.clock();
  await withOrg(deps.db, input.orgId, async (tx) => {
    await tx.deleteFrom('stripe_connections').where('id', '=', input.connectionId).execute();
    await appendAudit(tx, {
      orgId: input.orgId, actor: auditActor(input), action: 'stripe.disconnected', target: { type: 'stripe_connection', id: input.connectionId },
      ip: input.ip ?? null, userAgent: input.userAgent ?? null, at: now,
      metadata: { kind: connection.kind, stripe_account_id: connection.stripe_account_id, revoked_at_stripe: revokedAtStripe },
    });
  });
  // The figures, customer lists and facts computed from the deleted data go with it (a recompute now).
  deps.onChange?.({ kind: 'disconnected', orgId: input.orgId, connectionId: input.connectionId });
  return { revokedAtStripe };
}
