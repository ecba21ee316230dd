// Incremental sync's safety net: lists events since the newest one seen (created[gte], because several
// events share a second; ids dedupe the overlap) and applies them oldest first.
import { withOrg } from '../db/tenant.js';
import type { StripeObject, StripeReader } from './client.js';
import { applyEvent, type ApplyOutcome } from './apply-event.js';
import { openReader } from './open-reader.js';
import type { StripeDeps } from './stripe-deps.js';
import { EVENT_POLL, getSyncState, setPollCursor } from './sync-state.js';

export async function pollEvents(deps: StripeDeps, orgId: string, connectionId: string, reader?: StripeReader): Promise<Record<ApplyOutcome, number>> {
  const counts: Record<ApplyOutcome, number> = { duplicate: 0, applied: 0, refetched: 0, stale: 0, stored: 0 };
  const state = await withOrg(deps.db, orgId, (tx) => getSyncState(tx, connectionId, EVENT_POLL));
  // Before the events backfill has recorded where history ends there is nothing to poll from.
  if (!state?.cursor) return counts;
  const since = Number(state.cursor);
  const r = reader ?? (await openReader(deps, orgId, connectionId));
  const events: StripeObject[] = [];
  for (let after: string | undefined; ;) {
    const page = await r.list('events', { limit: 100, created: { gte: since }, ...(after ? { starting_after: after } : {}) });
    events.push(...page.data);
    after = page.data.at(-1)?.id;
    if (!page.has_more || !after) break;
  }
  events.sort((a, b) => Number(a['created']) - Number(b['created']) || (a.id < b.id ? -1 : 1));
  let newest = since;
  for (const event of events) {
    counts[await applyEvent(deps, orgId, connectionId, event, 'poll', r)]++;
    newest = Math.max(newest, Number(event['created']));
  }
  await withOrg(deps.db, orgId, (tx) => setPollCursor(tx, orgId, connectionId, newest, deps.clock()));
  return counts;
}
