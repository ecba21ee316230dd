// One sync pass over a connection: finish (or resume) the backfill, then poll the Events API. Both are
// idempotent, so a pass may be repeated or interrupted at any point.
import { withOrg } from '../db/tenant.js';
import { backfill } from './backfill.js';
import { findConnection } from './connections.js';
import { openReader } from './open-reader.js';
import { pollEvents } from './poll-events.js';
import type { StripeDeps } from './stripe-deps.js';

/** Stripe refusing the credential or a permission will not pass by retrying: the Admin must act. */
const refusedMessage = (kind: string): string => kind === 'oauth'
  ? "Stripe refused Mowt's access (the grant was revoked): install the Mowt app again."
  : 'Stripe refused the restricted key (revoked, rolled, or missing a read permission): paste a new one with "Replace key".';

/** 401/403 on a read, or a refresh token Stripe no longer honours (invalid_grant: the grant was revoked). */
function refusedByStripe(error: unknown): boolean {
  const e = (error ?? {}) as { statusCode?: unknown; type?: unknown; code?: unknown };
  return e.statusCode === 401 || e.statusCode === 403 || e.type === 'StripeInvalidGrantError' || e.code === 'invalid_grant';
}

export async function syncConnection(deps: StripeDeps, orgId: string, connectionId: string, signal?: AbortSignal): Promise<void> {
  // Disconnected meanwhile, or uninstalled in Stripe: nothing to read with, and nothing to retry.
  const connection = await withOrg(deps.db, orgId, (tx) => findConnection(tx, connectionId));
  if (!connection || connection.status === 'revoked') return;
  try {
    const reader = await openReader(deps, orgId, connectionId);
    const stored = await backfill(deps, orgId, connectionId, { reader, signal });
    if (stored.objects > 0) deps.onChange?.({ kind: 'backfilled', orgId, connectionId });
    signal?.throwIfAborted();
    await pollEvents(deps, orgId, connectionId, { reader, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (refusedByStripe(error)) await setConnectionStatus(deps, orgId, connectionId, 'error', refusedMessage(connection.kind));
    throw error;
  }
  // A pass that went through clears an earlier refusal (the key was fixed in Stripe meanwhile).
  if (connection.status === 'error') await setConnectionStatus(deps, orgId, connectionId, 'active', null);
}

async function setConnectionStatus(deps: StripeDeps, orgId: string, connectionId: string, status: 'active' | 'error', message: string | null): Promise<void> {
  await withOrg(deps.db, orgId, (tx) => tx.updateTable('stripe_connections').set({ status, last_error: message, updated_at: deps.clock() })
    .where('id', '=', connectionId).where('status', '!=', 'revoked').execute());
}
