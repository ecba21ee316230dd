// Backfill: pages every object type (limit 100, newest first), all types in parallel under the
// connection's rate limiter. A type with more than one page is then split into time slices by `created`
// (Stripe's created[gte]/[lt] list filters), each paged by its own cursor chain, so one large type is read
// by several requests at once instead of one strictly sequential chain. Each page's upserts and the cursor
// that follows it commit in one transaction, so a process killed at any instant resumes exactly after the
// last committed page of every slice; upserts keyed by Stripe id make re-reading a page harmless.
import { withOrg, type Tx } from '../db/tenant.js';
import { LIST_TYPES, type ListParams, type ListType, type StripeObject, type StripeReader } from './client.js';
import { findConnection } from './connections.js';
import { fetchAhead, type ChainPage } from './fetch-ahead.js';
import { kindOf } from './object-kinds.js';
import { prepareObjects, writePrepared, type PreparedObjects } from './objects-repo.js';
import { openReader } from './open-reader.js';
import type { StripeDeps } from './stripe-deps.js';
import {
  advanceSlice, advanceSyncState, finishType, listSlices, planSlices as saveSlices, recordSyncError, setPollCursor, startSyncState,
  type SliceRow,
} from './sync-state.js';

export interface BackfillOptions {
  types?: readonly ListType[];
  /** Called inside each page's transaction after its writes; throwing rolls that page back (crash tests). */
  onPage?: (type: ListType, page: number) => void | Promise<void>;
  /** Called after each committed page (progress output). */
  onProgress?: (type: ListType, added: number, typeDone: boolean) => void;
  reader?: StripeReader;
  /** Stops between pages (shutdown); the committed cursor makes the next run resume there. */
  signal?: AbortSignal;
  /** Stops each slice after this many pages in this run, leaving it resumable (benchmarks at a reduced scale). */
  maxPagesPerType?: number;
  /** Time slices a multi-page type is split into (default 4; 1 = one sequential chain). */
  slicesPerType?: number;
}

export interface BackfillResult {
  objects: number;
  pages: number;
}

export const DEFAULT_SLICES = 4;
/**
 * Pages a chain reads ahead of its writes (fetched or in flight). 2: the next request leaves while a page is
 * stored even when the previous page has not been written yet, which keeps the limiter busy when storing is
 * the slower side (bench: the backfill under Stripe's 100/s). Memory: ~0.5 MB per page read ahead.
 */
const FETCH_AHEAD = 2;
/** Stripe keeps events for 30 days: slicing events over years would leave all but one slice empty. */
const EVENT_WINDOW_SECONDS = 31 * 86_400;
const FALLBACK_HISTORY_SECONDS = 5 * 365 * 86_400;

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

export interface SliceBounds { gte: number; lt: number }

/**
 * Splits what remains of a type after its first page — everything created before `newestLeft` + 1 — into
 * `count` equal time slices, newest first. The oldest slice has no lower bound (gte 0), so objects older than
 * the estimate are never missed; the newest continues the first page's cursor chain.
 */
export function sliceBounds(type: ListType, newestLeft: number, accountCreated: number | null, count: number): SliceBounds[] {
  const top = newestLeft + 1;
  let bottom = accountCreated ?? top - FALLBACK_HISTORY_SECONDS;
  if (type === 'events') bottom = Math.max(bottom, top - EVENT_WINDOW_SECONDS);
  const n = Math.max(1, Math.min(count, top - bottom));
  if (n === 1 || bottom >= top) return [{ gte: 0, lt: top }];
  const out: SliceBounds[] = [];
  for (let i = 0; i < n; i++) {
    const hi = Math.round(top - ((top - bottom) * i) / n);
    const lo = i === n - 1 ? 0 : Math.round(top - ((top - bottom) * (i + 1)) / n);
    out.push({ gte: lo, lt: hi });
  }
  return out;
}

export const listFilter = (b: SliceBounds): ListParams['created'] => (b.gte > 0 ? { gte: b.gte, lt: b.lt } : { lt: b.lt });

/** What a page's write needs: its prepared rows and its ends (the parsed objects are let go once prepared). */
interface Page extends ChainPage { count: number; first: PageEnd | undefined; last: PageEnd | undefined; prepared: PreparedObjects }
interface PageEnd { id: string; created: number | null }

interface Chain {
  /** The slice row this chain advances, or null for the first, unsliced page chain. */
  slice: SliceRow | null;
  cursor: string | null;
}

interface TypeRun {
  deps: StripeDeps;
  orgId: string;
  connectionId: string;
  reader: StripeReader;
  type: ListType;
  opts: BackfillOptions;
  result: BackfillResult;
  pageNo: number;
  halt: Halt;
}

/**
 * Stops every chain of a run once one has failed, so that no page is written after backfill() has
 * rejected (a restart would otherwise race the old run's chains and count their pages twice).
 */
interface Halt {
  signal: AbortSignal;
  /** The type whose chain failed first (null: nothing failed, or the caller's own signal stopped the run). */
  origin: ListType | null;
  stop(error: unknown, type: ListType): void;
}

function createHalt(): Halt {
  const controller = new AbortController();
  const halt: Halt = {
    signal: controller.signal,
    origin: null,
    stop(error, type) {
      if (controller.signal.aborted) return;
      halt.origin = type;
      controller.abort(error);
    },
  };
  return halt;
}

async function fetchPage(run: TypeRun, chain: Chain, after: string | null): Promise<Page> {
  const created = chain.slice ? listFilter(chain.slice) : undefined;
  const page = await run.reader.list(run.type, { limit: 100, ...(after ? { starting_after: after } : {}), ...(created ? { created } : {}) });
  const objects = run.type === 'invoices' ? await completeInvoiceLines(run.reader, page.data) : page.data;
  // Sanitised and encrypted as soon as it arrives, overlapping the previous page's write.
  const { deps, orgId, connectionId } = run;
  const prepared = await prepareObjects({ crypto: deps.crypto, orgId, connectionId, now: deps.clock() }, kindOf(run.type), objects, { receivedVia: 'backfill' });
  const end = (o: StripeObject | undefined): PageEnd | undefined => (o ? { id: o.id, created: createdOf(o) } : undefined);
  const last = end(objects.at(-1));
  return { count: objects.length, first: end(objects[0]), last, lastId: last?.id, hasMore: page.has_more, prepared };
}

/**
 * Pages one chain to its end (or the page cap), reading up to FETCH_AHEAD pages ahead of the one being
 * written. The cursor moves only when a page's write commits, so a crash loses only pages read ahead.
 * `afterFirstPage` runs inside the first page's transaction (the unsliced chain plans its slices there).
 */
async function pageChain(run: TypeRun, chain: Chain, afterFirstPage?: (tx: Tx, page: Page) => Promise<boolean>): Promise<void> {
  try {
    await pageChainUnhalted(run, chain, afterFirstPage);
  } catch (error) {
    if (!run.opts.signal?.aborted) run.halt.stop(error, run.type);
    throw error;
  }
}

async function pageChainUnhalted(run: TypeRun, chain: Chain, afterFirstPage?: (tx: Tx, page: Page) => Promise<boolean>): Promise<void> {
  const { deps, orgId, connectionId, type, opts } = run;
  const underCap = (pages: number) => opts.maxPagesPerType === undefined || pages < opts.maxPagesPerType;
  let cursor = chain.cursor;
  let pages = 0;
  if (!underCap(0)) return;
  const reader = fetchAhead<Page>({
    fetch: (after) => fetchPage(run, chain, after),
    from: cursor,
    // The unsliced first page is read alone: if more follow, the slices read them.
    maxPages: afterFirstPage ? 1 : opts.maxPagesPerType ?? Number.POSITIVE_INFINITY,
    depth: FETCH_AHEAD,
    // Neither a failed sibling chain nor the caller's shutdown lets another page be asked for.
    signal: opts.signal ? AbortSignal.any([run.halt.signal, opts.signal]) : run.halt.signal,
  });
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      run.halt.signal.throwIfAborted();
      const page = await reader.next();
      if (page === null) return;
      const { last } = page;
      let done = !page.hasMore || !last;
      const pageNo = ++run.pageNo;
      // bulkWrite: no WAL flush wait at commit. A database crash can lose only the last fraction of a second
      // of pages, and each page's rows and cursor go together (atomic either way), so the resumed backfill
      // re-reads them from Stripe. Without it every page's commit waits for an fsync.
      await withOrg(deps.db, orgId, async (tx: Tx) => {
        const now = deps.clock();
        await writePrepared({ tx, crypto: deps.crypto, orgId, connectionId, now }, page.prepared);
        const progress = { cursor: last?.id ?? cursor, cursorCreated: last?.created ?? null, firstCreated: page.first?.created ?? null, added: page.count, done };
        if (chain.slice) {
          await advanceSlice(tx, connectionId, type, chain.slice.key, progress, now);
        } else {
          // The first page: if more follow, its transaction also records the slices that will read them.
          if (afterFirstPage && !done && (await afterFirstPage(tx, page))) done = true;
          await advanceSyncState(tx, connectionId, type, { ...progress, done }, now);
        }
        // The newest event seen is where polling the Events API starts after the backfill.
        const newest = type === 'events' ? page.first?.created ?? null : null;
        if (newest !== null) await setPollCursor(tx, orgId, connectionId, newest, now);
        await opts.onPage?.(type, pageNo);
      }, { bulkWrite: true });
      run.result.objects += page.count;
      run.result.pages++;
      pages++;
      opts.onProgress?.(type, page.count, done && !chain.slice);
      if (done || !underCap(pages)) return;
      if (afterFirstPage || !last) return; // the slices take over from here
      cursor = last.id;
    }
  } finally {
    // A chain that stops early (failure, halt, cap) leaves what it read ahead unwritten and asks for no more.
    reader.stop();
  }
}

async function backfillType(deps: StripeDeps, orgId: string, connectionId: string, reader: StripeReader, type: ListType, opts: BackfillOptions, accountCreated: number | null, halt: Halt): Promise<BackfillResult> {
  const { state, slices } = await withOrg(deps.db, orgId, async (tx) => ({
    state: await startSyncState(tx, orgId, connectionId, type, deps.clock()),
    slices: await listSlices(tx, connectionId, type),
  }));
  const run: TypeRun = { deps, orgId, connectionId, reader, type, opts, result: { objects: 0, pages: 0 }, pageNo: state.pages, halt };
  if (state.done) return run.result;
  const sliceCount = opts.slicesPerType ?? DEFAULT_SLICES;
  try {
    let planned = slices;
    if (planned.length === 0) {
      // Fresh type, or one resumed in a single chain: page on until there is something to split.
      await pageChain(run, { slice: null, cursor: state.cursor }, sliceCount > 1 && state.cursor === null
        ? async (tx, page) => {
          const { last } = page;
          const newestLeft = last?.created ?? null;
          if (!last || newestLeft === null) return false;
          const bounds = sliceBounds(type, newestLeft, accountCreated, sliceCount);
          planned = await saveSlices(tx, orgId, connectionId, type, bounds.map((b, i) => ({ ...b, cursor: i === 0 ? last.id : null })));
          return false;
        }
        : undefined);
      if (planned.length === 0) return run.result;
    }
    // Settled, not raced: a failed slice halts its siblings, and this returns only once none is writing.
    const chains = await Promise.allSettled(planned.filter((s) => !s.done).map((slice) => pageChain(run, { slice, cursor: slice.cursor })));
    const failed = chains.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
    if (opts.maxPagesPerType === undefined || (await withOrg(deps.db, orgId, (tx) => listSlices(tx, connectionId, type))).every((s) => s.done)) {
      const finished = await withOrg(deps.db, orgId, (tx) => finishType(tx, connectionId, type, deps.clock()));
      if (finished) opts.onProgress?.(type, 0, true);
    }
    return run.result;
  } catch (error) {
    // A type halted because another failed keeps its own last error; the failing type records it.
    if (halt.origin !== null && halt.origin !== type) throw error;
    const message = error instanceof Error ? error.message : String(error);
    await withOrg(deps.db, orgId, (tx) => recordSyncError(tx, connectionId, type, message, deps.clock())).catch(() => undefined);
    throw error;
  }
}

/** Runs (or resumes) the backfill of every object type; rejects with the first type's error. */
export async function backfill(deps: StripeDeps, orgId: string, connectionId: string, opts: BackfillOptions = {}): Promise<BackfillResult> {
  const reader = opts.reader ?? (await openReader(deps, orgId, connectionId));
  const accountCreated = await withOrg(deps.db, orgId, async (tx) => {
    const c = await findConnection(tx, connectionId);
    return c?.account_created === null || c?.account_created === undefined ? null : Number(c.account_created);
  });
  const types = opts.types ?? LIST_TYPES;
  const halt = createHalt();
  const settled = await Promise.allSettled(types.map((type) => backfillType(deps, orgId, connectionId, reader, type, opts, accountCreated, halt)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.reduce((sum, s) => (s.status === 'fulfilled' ? { objects: sum.objects + s.value.objects, pages: sum.pages + s.value.pages } : sum), { objects: 0, pages: 0 });
}


