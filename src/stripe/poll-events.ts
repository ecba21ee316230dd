// Incremental sync's safety net: lists events since the poll cursor and applies them oldest first.
// Stripe lists events newest first, so applying in order means holding what is listed. Usually the whole
// backlog fits one listing. A larger one (a connection not polled for days) is walked in closed time
// windows, each listed whole, applied and committed as the new cursor before the next: memory stays bounded
// by one window, and a sync job whose budget runs out (or a crash) resumes at the last window instead of
// starting over. Windows are placed by Stripe's clock (the newest event listed), never ours, and close
// SETTLE_S before it, since an event may be listed a little after its `created` second; the rest is
// listed with created[gte] only (several events share a second; ids dedupe the overlap).
import { withOrg } from '../db/tenant.js';
import type { StripeObject, StripeReader } from './client.js';
import { applyEvent, type ApplyOutcome } from './apply-event.js';
import { openReader } from './open-reader.js';
import type { StripeDeps } from './stripe-deps.js';
import { EVENT_POLL, getSyncState, setPollCursor } from './sync-state.js';

/** Events one window may hold before it is split (about 5–10 MB of events). */
const MAX_WINDOW_EVENTS = 2_000;
const SETTLE_S = 300;
const FIRST_SPAN_S = 3_600;
const MAX_SPAN_S = 7 * 86_400;

export interface PollOptions {
  reader?: StripeReader;
  /** Stops between windows (cursor committed); the next poll goes on from there. */
  signal?: AbortSignal;
  /** Window size bound, for tests. */
  maxWindowEvents?: number;
}

export type PollCounts = Record<ApplyOutcome, number> & { windows: number };

/** Lists one window of events; `complete` is false when it held more than `cap` (listing stopped there). */
async function listWindow(reader: StripeReader, created: { gte: number; lt?: number }, cap: number): Promise<{ events: StripeObject[]; complete: boolean }> {
  const events: StripeObject[] = [];
  for (let after: string | undefined; ;) {
    const page = await reader.list('events', { limit: Math.min(100, cap + 1), created, ...(after ? { starting_after: after } : {}) });
    events.push(...page.data);
    if (events.length > cap) return { events, complete: false };
    after = page.data.at(-1)?.id;
    if (!page.has_more || !after) return { events, complete: true };
  }
}

const newestOf = (events: StripeObject[], floor: number) => events.reduce((n, e) => Math.max(n, Number(e['created'])), floor);

export async function pollEvents(deps: StripeDeps, orgId: string, connectionId: string, opts: PollOptions = {}): Promise<PollCounts> {
  const counts: PollCounts = { duplicate: 0, applied: 0, refetched: 0, stale: 0, stored: 0, windows: 0 };
  const state = await withOrg(deps.db, orgId, (tx) => getSyncState(tx, connectionId, EVENT_POLL));
  // Before the events backfill has recorded where history ends there is nothing to poll from.
  if (!state?.cursor) return counts;
  const cap = opts.maxWindowEvents ?? MAX_WINDOW_EVENTS;
  const r = opts.reader ?? (await openReader(deps, orgId, connectionId));
  let from = Number(state.cursor);
  const head = await listWindow(r, { gte: from }, cap);
  if (!head.complete) {
    // A backlog: closed windows up to a little before the newest event Stripe has.
    const settled = newestOf(head.events, from) - SETTLE_S;
    let span = FIRST_SPAN_S;
    while (from < settled) {
      opts.signal?.throwIfAborted();
      const to = Math.min(from + span, settled);
      // A one-second window is not split further, whatever it holds.
      const window = await listWindow(r, { gte: from, lt: to }, to - from === 1 ? Infinity : cap);
      if (!window.complete) {
        span = Math.max(1, Math.floor((to - from) / 2));
        continue;
      }
      await applyWindow(deps, orgId, connectionId, r, window.events, counts, to);
      from = to;
      // Quiet stretches are crossed in longer windows.
      if (window.events.length < cap / 4) span = Math.min(MAX_SPAN_S, span * 2);
    }
    opts.signal?.throwIfAborted();
  }
  // The newest part (or the whole backlog when it fitted): listed whole.
  const rest = head.complete ? head.events : (await listWindow(r, { gte: from }, Infinity)).events;
  await applyWindow(deps, orgId, connectionId, r, rest, counts, newestOf(rest, from));
  return counts;
}

async function applyWindow(deps: StripeDeps, orgId: string, connectionId: string, reader: StripeReader, events: StripeObject[], counts: PollCounts, cursor: number): Promise<void> {
  events.sort((a, b) => Number(a['created']) - Number(b['created']) || (a.id < b.id ? -1 : 1));
  for (const event of events) counts[await applyEvent(deps, orgId, connectionId, event, 'poll', reader)]++;
  await withOrg(deps.db, orgId, (tx) => setPollCursor(tx, orgId, connectionId, cursor, deps.clock()));
  counts.windows++;
}
