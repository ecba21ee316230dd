// Backfill: pages every object type (limit 100, starting_after), all types in parallel under the
// connection's rate limiter. Each page's upserts and the cursor that follows it commit in one transaction,
// so a process killed at any instant resumes exactly after the last committed page; upserts keyed by Stripe
// id make re-reading a page harmless.
import { withOrg, type Tx } from '../db/tenant.js';
import { LIST_TYPES, type ListType, type StripeObject, type StripeReader } from './client.js';
import { kindOf } from './object-kinds.js';
import { upsertObjects } from './objects-repo.js';
import { openReader } from './open-reader.js';
import type { StripeDeps } from './stripe-deps.js';
import { advanceSyncState, recordSyncError, setPollCursor, startSyncState } from './sync-state.js';

export interface BackfillOptions {
  types?: readonly ListType[];
  /** Called inside each page's transaction after its writes; throwing rolls that page back (crash tests). */
  onPage?: (type: ListType, page: number) => void | Promise<void>;
  reader?: StripeReader;
  /** Stops between pages (shutdown); the committed cursor makes the next run resume there. */
  signal?: AbortSignal;
  /** Stops each type after this many pages in this run, leaving it resumable (benchmarks at a reduced scale). */
  maxPagesPerType?: number;
}

export interface BackfillResult {
  objects: number;
  pages: number;
}

/** Invoices carry their first lines inline; fetch the rest so no line is silently missing. */
async function completeInvoiceLines(reader: StripeReader, invoices: StripeObject[]): Promise<StripeObject[]> {
  const out: StripeObject[] = [];
  for (const invoice of invoices) {
    const lines = invoice['lines'] as { data?: StripeObject[]; has_more?: boolean } | undefined;
    if (!lines?.has_more) {
      out.push(invoice);
      continue;
    }
    const all = [...(lines.data ?? [])];
    for (let more = true; more;) {
      const page = await reader.listInvoiceLines(invoice.id, all.at(-1)?.id);
      all.push(...page.data);
      more = page.has_more && page.data.length > 0;
    }
    out.push({ ...invoice, lines: { ...lines, data: all, has_more: false } });
  }
  return out;
}

const createdOf = (o: StripeObject | undefined): number | null => (typeof o?.['created'] === 'number' ? o['created'] : null);

async function backfillType(deps: StripeDeps, orgId: string, connectionId: string, reader: StripeReader, type: ListType, opts: BackfillOptions): Promise<BackfillResult> {
  const kind = kindOf(type);
  const state = await withOrg(deps.db, orgId, (tx) => startSyncState(tx, orgId, connectionId, type, deps.clock()));
  const result = { objects: 0, pages: 0 };
  if (state.done) return result;
  let cursor = state.cursor;
  let pageNo = state.pages;
  const fetchPage = async (after: string | null): Promise<StripeObject[] & { hasMore?: boolean }> => {
    const page = await reader.list(type, { limit: 100, ...(after ? { starting_after: after } : {}) });
    const objects: StripeObject[] & { hasMore?: boolean } = type === 'invoices' ? await completeInvoiceLines(reader, page.data) : page.data;
    objects.hasMore = page.has_more;
    return objects;
  };
  const underCap = (pages: number) => opts.maxPagesPerType === undefined || pages < opts.maxPagesPerType;
  if (!underCap(0)) return result;
  let next = fetchPage(cursor);
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const objects = await next;
      const last = objects.at(-1);
      const done = !objects.hasMore || !last;
      pageNo++;
      // Fetch the next page while this one is written; the cursor still moves only when the write commits,
      // so a crash loses at most the prefetched page, which the restart reads again.
      if (!done && underCap(result.pages + 1)) {
        next = fetchPage(last.id);
        next.catch(() => undefined);
      }
      await withOrg(deps.db, orgId, async (tx: Tx) => {
        const now = deps.clock();
        await upsertObjects({ tx, crypto: deps.crypto, orgId, connectionId, now }, kind, objects, { receivedVia: 'backfill' });
        await advanceSyncState(tx, connectionId, type, {
          cursor: last?.id ?? cursor, cursorCreated: createdOf(last), firstCreated: createdOf(objects[0]), added: objects.length, done,
        }, now);
        // The newest event seen is where polling the Events API starts after the backfill.
        const newest = type === 'events' ? createdOf(objects[0]) : null;
        if (newest !== null) await setPollCursor(tx, orgId, connectionId, newest, now);
        await opts.onPage?.(type, pageNo);
      });
      result.objects += objects.length;
      result.pages++;
      if (done || !underCap(result.pages)) return result;
      cursor = last.id;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await withOrg(deps.db, orgId, (tx) => recordSyncError(tx, connectionId, type, message, deps.clock())).catch(() => undefined);
    throw error;
  }
}

/** Runs (or resumes) the backfill of every object type; rejects with the first type's error. */
export async function backfill(deps: StripeDeps, orgId: string, connectionId: string, opts: BackfillOptions = {}): Promise<BackfillResult> {
  const reader = opts.reader ?? (await openReader(deps, orgId, connectionId));
  const types = opts.types ?? LIST_TYPES;
  const settled = await Promise.allSettled(types.map((type) => backfillType(deps, orgId, connectionId, reader, type, opts)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.reduce((sum, s) => (s.status === 'fulfilled' ? { objects: sum.objects + s.value.objects, pages: sum.pages + s.value.pages } : sum), { objects: 0, pages: 0 });
}
