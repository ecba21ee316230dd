// Per-process cache of the dashboard's read answers (summary, KPIs, series, cohorts, plans, status). An answer
// is keyed by the organisation, a stamp of everything it was computed from, the organisation's today and the
// normalised query. The stamp is one small query per request — an md5 over the organisation's analytics_state row
// (version, status, range, warnings…), its analytics_settings row and its currency and timezone — so a new
// version written by ANY process (a webhook's incremental update, a recompute, a settings change) makes every
// process miss at once: nothing is invalidated by message, the database says what is current. Bounded by entry
// count and approximate size (LRU); identical requests arriving together share one computation.
// Answers are shared between requests: callers must not mutate them.
import { sql } from 'kysely';
import type { Tx } from '../db/tenant.js';

export interface Stamp {
  /** changes whenever anything the answers depend on changes */
  hash: string;
  /** the timezone the organisation's "today" is taken in (the snapshot's, else the settings') */
  timezone: string;
}

/** The organisation's stamp (one query, inside the caller's org-scoped transaction). */
export async function readStamp(tx: Tx, orgId: string): Promise<Stamp> {
  const { rows } = await sql<{ hash: string; timezone: string }>`
    select md5(concat_ws('|', o.reporting_currency, o.timezone, s::text, st::text)) as hash, coalesce(s.timezone, o.timezone) as timezone
    from organisations o
    left join analytics_state s on s.org_id = o.id
    left join analytics_settings st on st.org_id = o.id
    where o.id = ${orgId}`.execute(tx);
  const r = rows[0];
  return { hash: r?.hash ?? 'none', timezone: r?.timezone ?? 'Europe/London' };
}

/** JSON with object keys sorted and undefined dropped, so equal queries give equal keys. */
export function stableKey(v: unknown): string {
  if (v === undefined) return '';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableKey).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableKey(o[k])}`).join(',')}}`;
}

interface Entry {
  orgId: string;
  value: unknown;
  bytes: number;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  // 32 MB of answers by their JSON length; the routes keep each answer's serialised text beside it (routes.ts,
  // sendJson), so the memory held is about twice that.
  constructor(private readonly maxEntries = 1000, private readonly maxBytes = 32 * 1024 * 1024) {}

  /** The cached answer for `key`, or `compute()`'s (shared with concurrent callers of the same key). */
  async getOrCompute<T>(orgId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const full = `${orgId}\n${key}`;
    const hit = this.entries.get(full);
    if (hit) {
      // most recently used last (LRU order)
      this.entries.delete(full);
      this.entries.set(full, hit);
      this.hits++;
      return hit.value as T;
    }
    const pending = this.inflight.get(full);
    if (pending) {
      this.hits++;
      return pending as Promise<T>;
    }
    this.misses++;
    const p = compute().then((value) => {
      this.put(orgId, full, value);
      return value;
    }).finally(() => this.inflight.delete(full));
    this.inflight.set(full, p);
    return p;
  }

  private put(orgId: string, full: string, value: unknown): void {
    // the serialised length stands in for the memory an answer holds
    const bytes = full.length + (JSON.stringify(value)?.length ?? 0);
    if (bytes > this.maxBytes / 8) return;
    this.entries.set(full, { orgId, value, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.bytes -= this.entries.get(oldest)?.bytes ?? 0;
      this.entries.delete(oldest);
    }
  }

  stats(): ResponseCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes };
  }
}
