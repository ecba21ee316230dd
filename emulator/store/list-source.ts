// Newest-first iteration over one or more sorted sources, the core of Stripe's cursor pagination.
import { compareEntries } from './sorted-index.js';
import type { Entry } from './sorted-index.js';

export interface SortedSource {
  readonly size: number;
  at(i: number): Entry;
  lowerBound(target: { created: number; key: number }): number;
}

/** Small in-memory sorted list for objects created through the admin API. */
export class ExtraList implements SortedSource {
  private readonly entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  at(i: number): Entry {
    const e = this.entries[i];
    if (!e) throw new Error(`no entry ${i}`);
    return e;
  }

  lowerBound(target: { created: number; key: number }): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(this.at(mid), target) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(entry: Entry): void {
    this.entries.splice(this.lowerBound(entry), 0, entry);
  }
}

export type Cursor = { created: number; key: number };

/** Entries strictly older than `before` (or all when undefined), newest first, across sources. */
export function* descending(sources: readonly SortedSource[], before?: Cursor): Generator<Entry> {
  const positions = sources.map((s) => (before ? s.lowerBound(before) : s.size) - 1);
  for (;;) {
    let best = -1;
    let bestEntry: Entry | undefined;
    for (let i = 0; i < sources.length; i++) {
      const p = positions[i] ?? -1;
      if (p < 0) continue;
      const e = sources[i]?.at(p);
      if (e && (!bestEntry || compareEntries(e, bestEntry) > 0)) {
        best = i;
        bestEntry = e;
      }
    }
    if (!bestEntry) return;
    positions[best] = (positions[best] ?? 0) - 1;
    yield bestEntry;
  }
}

/** Entries strictly newer than `after`, oldest first, across sources. */
export function* ascending(sources: readonly SortedSource[], after: Cursor): Generator<Entry> {
  const positions = sources.map((s) => {
    let p = s.lowerBound(after);
    if (p < s.size && compareEntries(s.at(p), after) === 0) p++;
    return p;
  });
  for (;;) {
    let best = -1;
    let bestEntry: Entry | undefined;
    for (let i = 0; i < sources.length; i++) {
      const p = positions[i] ?? 0;
      const source = sources[i];
      if (!source || p >= source.size) continue;
      const e = source.at(p);
      if (!bestEntry || compareEntries(e, bestEntry) < 0) {
        best = i;
        bestEntry = e;
      }
    }
    if (!bestEntry) return;
    positions[best] = (positions[best] ?? 0) + 1;
    yield bestEntry;
  }
}
