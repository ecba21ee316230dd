// A compact, sorted index of (created, key, code) triples in typed arrays: ~9 bytes per object, so a
// million invoices cost megabytes, not the gigabytes their JSON would.

export interface Entry {
  created: number;
  key: number;
  /** Small per-kind code used by cheap filters (subscription status, event type). */
  code: number;
}

/** Order used by every Stripe list: newest first; ties broken by key so the order is total. */
export function compareEntries(a: { created: number; key: number }, b: { created: number; key: number }): number {
  return a.created - b.created || a.key - b.key;
}

export class IndexBuilder {
  private created: number[] = [];
  private keys: number[] = [];
  private codes: number[] = [];

  add(created: number, key: number, code = 0): void {
    this.created.push(created);
    this.keys.push(key);
    this.codes.push(code);
  }

  build(): SortedIndex {
    const count = this.created.length;
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    const created = Float64Array.from(this.created);
    const keys = Float64Array.from(this.keys);
    order.sort((a, b) => (created[a] ?? 0) - (created[b] ?? 0) || (keys[a] ?? 0) - (keys[b] ?? 0));
    const sortedCreated = new Uint32Array(count);
    const sortedKeys = new Uint32Array(count);
    const sortedCodes = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const from = order[i] ?? 0;
      sortedCreated[i] = created[from] ?? 0;
      sortedKeys[i] = keys[from] ?? 0;
      sortedCodes[i] = this.codes[from] ?? 0;
    }
    this.created = [];
    this.keys = [];
    this.codes = [];
    return new SortedIndex(sortedCreated, sortedKeys, sortedCodes);
  }
}

export class SortedIndex {
  constructor(
    private readonly created: Uint32Array,
    private readonly keys: Uint32Array,
    private readonly codes: Uint8Array,
  ) {}

  get size(): number {
    return this.created.length;
  }

  at(i: number): Entry {
    return { created: this.created[i] ?? 0, key: this.keys[i] ?? 0, code: this.codes[i] ?? 0 };
  }

  /** Number of entries strictly before (created, key) in ascending order. */
  lowerBound(target: { created: number; key: number }): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(this.at(mid), target) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  bytes(): number {
    return this.created.byteLength + this.keys.byteLength + this.codes.byteLength;
  }
}
