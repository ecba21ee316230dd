// One sync pass over a connection: finish (or resume) the backfill, then poll the Events API. Both are
// idempotent, so a pass may be repeated or interrupted at any point.
import { withOrg } from '../db/tenant.js';
import { backfill } from './backfill.js';
import { findConnection } from './connections.js';
import { openReader } from './open-reader.js';
import { pollEvents } from './poll-events.js';
import type { StripeDeps } from './stripe-deps.js';

export async function syncConnection(deps: StripeDeps, orgId: string, connectionId: string, signal?: AbortSignal): Promise<void> {
  // Disconnected meanwhile, or uninstalled in Stripe: nothing to read with, and nothing to retry.
  const connection = await withOrg(deps.db, orgId, (tx) => findConnection(tx, connectionId));
  if (!connection || connection.status === 'revoked') return;
  const reader = await openReader(deps, orgId, connectionId);
  const stored = await backfill(deps, orgId, connectionId, { reader, signal });
  if (stored.objects > 0) deps.onChange?.({ kind: 'backfilled', orgId, connectionId });
  signal?.throwIfAborted();
  await pollEvents(deps, orgId, connectionId, { reader, ...(signal ? { signal } : {}) });
}
