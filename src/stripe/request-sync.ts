// "Sync now": queues a pass for a connection of the caller's organisation. An unknown id is a 404 rather
// than a silently queued no-op, and an App uninstalled in Stripe has nothing to sync with until reinstalled.
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { findConnection } from './connections.js';
import type { StripeDeps } from './stripe-deps.js';
import { UNINSTALLED_MESSAGE } from './uninstall.js';

export async function requestSyncNow(deps: StripeDeps, orgId: string, connectionId: string): Promise<{ queued: true }> {
  const connection = await withOrg(deps.db, orgId, (tx) => findConnection(tx, connectionId));
  if (!connection) throw new HttpProblem(404, 'Stripe connection not found');
  if (connection.status === 'revoked') throw new HttpProblem(409, UNINSTALLED_MESSAGE);
  deps.requestSync(orgId, connectionId);
  return { queued: true };
}
