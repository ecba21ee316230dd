// Reads a cursor chain of list pages ahead of the code that stores them, at most `depth` pages at a time
// (fetched or in flight). Each request needs the previous page's last id, so the reading is a chain of its
// own; running it ahead of the writes keeps the rate limiter busy while a page is being stored, instead of
// asking for the next page only once the last write is done. A page's cursor still moves only when its
// write commits: what was read ahead and not stored is simply read again after a crash.

export interface ChainPage {
  hasMore: boolean;
  /** The id the next page starts after; undefined for an empty page. */
  lastId: string | undefined;
}

export interface FetchAheadOptions<P extends ChainPage> {
  fetch(after: string | null): Promise<P>;
  /** Where the chain starts (null: the newest object). */
  from: string | null;
  /** Pages read at most, or Infinity. */
  maxPages: number;
  /** Pages fetched or in flight and not yet taken, at most (1: the next page only). */
  depth: number;
  /** No new request once this is aborted. */
  signal?: AbortSignal;
}

export interface FetchAhead<P> {
  /** The chain's next page, or null after its last one. Rejects with that page's fetch error. */
  next(): Promise<P | null>;
  /** Starts no further request (pages in flight finish and are dropped). */
  stop(): void;
}

export function fetchAhead<P extends ChainPage>(opts: FetchAheadOptions<P>): FetchAhead<P> {
  if (!(opts.depth >= 1)) throw new RangeError('depth must be at least 1');
  const ahead: Promise<P>[] = [];
  let requested = 0;
  let stopped = false;
  let inFlight = false;
  /** The newest page read whose successor has not been requested yet; null before the first arrives. */
  let tail: P | null = null;
  let ended = false;

  const request = (after: string | null): void => {
    requested++;
    inFlight = true;
    const page = opts.fetch(after).then((p) => {
      inFlight = false;
      tail = p;
      topUp();
      return p;
    }, (error: unknown) => {
      inFlight = false;
      stopped = true;
      throw error;
    });
    // Taken (and its error seen) by next(), unless the chain stopped first: never an unhandled rejection.
    page.catch(() => undefined);
    ahead.push(page);
  };

  function topUp(): void {
    if (stopped || inFlight || opts.signal?.aborted) return;
    const last: P | null = tail;
    if (last === null) return;
    if (!last.hasMore || last.lastId === undefined || requested >= opts.maxPages) {
      ended = true;
      return;
    }
    if (ahead.length >= opts.depth) return;
    tail = null;
    request(last.lastId);
  }

  if (opts.maxPages > 0) request(opts.from);
  else ended = true;

  return {
    async next() {
      const page = ahead.shift();
      if (page === undefined) {
        if (ended || stopped) return null;
        opts.signal?.throwIfAborted();
        throw new Error('fetchAhead: next() called while no page was requested');
      }
      const p = await page;
      topUp();
      return p;
    },
    stop() {
      stopped = true;
    },
  };
}
