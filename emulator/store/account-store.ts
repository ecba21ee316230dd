// Everything one Stripe account holds: the generated business, plus changes made through the admin API
// (objects replaced in place, and new events) layered on top without touching the generated data.
import { Business, SUB_STATUS_CODES } from '../generator/business.js';
import type { BusinessOptions, HistoryKind } from '../generator/business.js';
import { buildEvent } from '../generator/build-history.js';
import { makeId, objectKey } from '../generator/ids.js';
import type { StripeObject } from '../generator/types.js';
import type { Clock } from './clock.js';
import { ExtraList, ascending, descending } from './list-source.js';
import type { Cursor, SortedSource } from './list-source.js';
import { IndexBuilder } from './sorted-index.js';
import type { Entry } from './sorted-index.js';

export type CatalogKind = 'product' | 'price' | 'coupon';
export type ResourceKind = HistoryKind | CatalogKind;

/** Keys of admin-created objects start here, far above any generated key. */
const EXTRA_KEY_BASE = 2 ** 40;

export interface CreatedRange { gt?: number; gte?: number; lt?: number; lte?: number }

export interface ListQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
  /** Customer id: served from that customer's own history instead of scanning everything. */
  customer?: string;
  /** Event type names; a trailing `*` matches a prefix, as in Stripe. */
  eventTypes?: string[];
  match?: (object: StripeObject) => boolean;
}

export type ListOutcome = { ok: true; data: StripeObject[]; hasMore: boolean } | { ok: false; param: 'starting_after' | 'ending_before'; id: string };

function inRange(created: number, range: CreatedRange | undefined): boolean {
  if (!range) return true;
  if (range.gt !== undefined && !(created > range.gt)) return false;
  if (range.gte !== undefined && !(created >= range.gte)) return false;
  if (range.lt !== undefined && !(created < range.lt)) return false;
  if (range.lte !== undefined && !(created <= range.lte)) return false;
  return true;
}

function typeMatches(type: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p));
}

export interface AccountStoreOptions extends Omit<BusinessOptions, 'now'> {
  clock: Clock;
}

export class AccountStore {
  readonly business: Business;
  readonly accountId: string;
  private readonly clock: Clock;
  private readonly retentionDays: number;
  private readonly overrides = new Map<string, StripeObject>();
  private readonly extras = new Map<HistoryKind, ExtraList>();
  private readonly extraObjects = new Map<number, StripeObject>();
  private readonly extraIds = new Map<string, { kind: HistoryKind; key: number }>();
  private extraSeq = 0;
  /** Admin-created events not yet delivered to webhook endpoints, oldest first. */
  readonly pendingWebhookEvents: StripeObject[] = [];

  constructor(options: AccountStoreOptions) {
    this.clock = options.clock;
    this.accountId = options.accountId;
    this.retentionDays = options.eventRetentionDays;
    this.business = new Business({ ...options, now: options.clock.now() });
  }

  private eventCutoff(): number {
    return this.clock.now() - this.retentionDays * 86_400;
  }

  private extrasFor(kind: HistoryKind): ExtraList {
    let list = this.extras.get(kind);
    if (!list) {
      list = new ExtraList();
      this.extras.set(kind, list);
    }
    return list;
  }

  private locate(id: string): { kind: HistoryKind; key: number } | undefined {
    return this.extraIds.get(id) ?? this.business.locate(id);
  }

  private materialize(kind: HistoryKind, key: number): StripeObject {
    const extra = this.extraObjects.get(key);
    if (extra) return extra;
    const object = this.business.object(kind, key);
    const override = this.overrides.get(String(object['id']));
    return override ?? object;
  }

  private createdOf(kind: HistoryKind, key: number): number | undefined {
    const extra = this.extraObjects.get(key);
    if (extra) return Number(extra['created']);
    return this.business.createdOf(kind, key);
  }

  catalog(kind: CatalogKind): StripeObject[] {
    const objects = kind === 'product' ? this.business.products() : kind === 'price' ? this.business.prices() : this.business.coupons();
    return objects.map((o) => this.overrides.get(String(o['id'])) ?? o);
  }

  retrieve(kind: ResourceKind, id: string): StripeObject | undefined {
    if (kind === 'product' || kind === 'price' || kind === 'coupon') return this.catalog(kind).find((o) => o['id'] === id);
    const at = this.locate(id);
    if (!at || at.kind !== kind) return undefined;
    if (kind === 'event' && (this.createdOf(kind, at.key) ?? 0) < this.eventCutoff()) return undefined;
    return this.materialize(at.kind, at.key);
  }

  /** Any object by id, for `expand[]`. */
  resolve(id: string): StripeObject | undefined {
    for (const kind of ['product', 'price', 'coupon'] as const) {
      const hit = this.retrieve(kind, id);
      if (hit) return hit;
    }
    const at = this.locate(id);
    return at ? this.retrieve(at.kind, id) : undefined;
  }

  private cursor(kind: ResourceKind, id: string): Cursor | undefined {
    const at = this.locate(id);
    if (!at || at.kind !== kind) return undefined;
    const created = this.createdOf(at.kind, at.key);
    return created === undefined ? undefined : { created, key: at.key };
  }

  private sources(kind: HistoryKind, customer: string | undefined): SortedSource[] {
    const extras = this.extrasFor(kind);
    if (customer === undefined) return [this.business.indexes.get(kind) ?? new IndexBuilder().build(), extras];
    const at = this.business.locate(customer);
    if (!at || at.kind !== 'customer') return [extras];
    // One customer's history is small: index it on the fly rather than scanning the whole account.
    const facts = this.business.facts(Math.floor(at.key / 1024));
    const builder = new IndexBuilder();
    const rows: Array<{ created: number; n: number }> =
      kind === 'subscription' ? facts.subs : kind === 'invoice' ? facts.invoices : kind === 'charge' ? facts.charges : [];
    for (const row of rows) builder.add(row.created, objectKey(facts.index, row.n));
    return [builder.build(), extras];
  }

  list(kind: HistoryKind, q: ListQuery): ListOutcome {
    const sources = this.sources(kind, q.customer);
    let before: Cursor | undefined;
    let after: Cursor | undefined;
    if (q.startingAfter !== undefined) {
      before = this.cursor(kind, q.startingAfter);
      if (!before) return { ok: false, param: 'starting_after', id: q.startingAfter };
    }
    if (q.endingBefore !== undefined) {
      after = this.cursor(kind, q.endingBefore);
      if (!after) return { ok: false, param: 'ending_before', id: q.endingBefore };
    }
    // An upper created bound starts the newest-first walk there (a binary search), not at the newest object.
    const upper = q.created?.lt ?? (q.created?.lte === undefined ? undefined : q.created.lte + 1);
    if (upper !== undefined && !after && (!before || before.created >= upper)) before = { created: upper, key: -1 };
    const cutoff = kind === 'event' ? this.eventCutoff() : -Infinity;
    const accepts = (e: Entry): StripeObject | undefined => {
      if (e.created < cutoff || !inRange(e.created, q.created)) return undefined;
      if (kind === 'event' && q.eventTypes && !this.extraObjects.has(e.key)) {
        if (!typeMatches(this.business.eventTypes[e.code] ?? '', q.eventTypes)) return undefined;
      }
      const object = this.materialize(kind, e.key);
      if (kind === 'event' && !typeMatches(String(object['type']), q.eventTypes)) return undefined;
      if (q.customer !== undefined && object['customer'] !== q.customer) return undefined;
      if (q.match && !q.match(object)) return undefined;
      return object;
    };
    const found: StripeObject[] = [];
    const iterator = after ? ascending(sources, after) : descending(sources, before);
    for (const entry of iterator) {
      // Newest-first iteration can stop once it is older than the window it is asked for.
      if (!after && (entry.created < cutoff || (q.created?.gt !== undefined && entry.created <= q.created.gt) || (q.created?.gte !== undefined && entry.created < q.created.gte))) break;
      const object = accepts(entry);
      if (!object) continue;
      found.push(object);
      if (found.length > q.limit) break;
    }
    const hasMore = found.length > q.limit;
    const page = found.slice(0, q.limit);
    return { ok: true, data: after ? page.reverse() : page, hasMore };
  }

  /** Replaces an object's current state (admin mutations); lists keep its original position. */
  replace(object: StripeObject): void {
    const id = String(object['id']);
    const at = this.extraIds.get(id);
    if (at) this.extraObjects.set(at.key, object);
    else this.overrides.set(id, object);
  }

  /** Records a new event, as Stripe would when an object changes; it is also queued for webhooks. */
  addEvent(type: string, object: StripeObject, previous: Record<string, unknown> | null = null): StripeObject {
    const key = EXTRA_KEY_BASE + this.extraSeq++;
    const id = makeId('evt', this.business.ctx.salt, key);
    const created = this.clock.now();
    const event = buildEvent(this.business.ctx, id, { type, created }, structuredClone(object), previous);
    event['pending_webhooks'] = 1;
    this.extraObjects.set(key, event);
    this.extraIds.set(id, { kind: 'event', key });
    this.extrasFor('event').insert({ created, key, code: 0 });
    this.pendingWebhookEvents.push(event);
    return event;
  }

  subscriptionIsActive(object: StripeObject): boolean {
    return object['status'] !== SUB_STATUS_CODES[3];
  }
}
