// The owner removed the Mowt App in their Stripe dashboard, and Stripe sent account.application.deauthorized
// to the App's endpoint. The grant is dead at Stripe already: its tokens are wiped here and the connection
// marked revoked, so no sync runs on it. Synced data stays until an Admin disconnects (which deletes it, as
// always) or installs the App again (which reactivates this connection with new tokens).
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import type { StripeObject } from './client.js';
import { findConnection, type DirectoryEntry } from './connections.js';
import type { StripeDeps } from './stripe-deps.js';

export const DEAUTHORIZED_EVENT = 'account.application.deauthorized';
export const UNINSTALLED_MESSAGE = 'The Mowt app was uninstalled from this Stripe account in Stripe. Install it again to resume syncing, or disconnect to delete the synced data.';

export async function markUninstalled(deps: StripeDeps, target: DirectoryEntry, event: StripeObject): Promise<'applied' | 'duplicate'> {
  const now = deps.clock();
  return withOrg(deps.db, target.orgId, async (tx) => {
    const connection = await findConnection(tx, target.connectionId);
    if (!connection || connection.status === 'revoked') return 'duplicate';
    await tx.updateTable('stripe_connections').set({
      status: 'revoked', token_encrypted: null, refresh_token_encrypted: null, token_expires_at: null, last_error: UNINSTALLED_MESSAGE, updated_at: now,
    }).where('id', '=', target.connectionId).execute();
    await appendAudit(tx, {
      orgId: target.orgId, actor: { type: 'system', id: null }, action: 'stripe.uninstalled', target: { type: 'stripe_connection', id: target.connectionId },
      at: now, metadata: { stripe_account_id: connection.stripe_account_id, event_id: event.id },
    });
    return 'applied';
  });
}
