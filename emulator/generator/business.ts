// One synthetic Stripe account's data: the catalogue eagerly, customers' histories lazily.
// At start-up every customer is simulated once to build compact sorted indexes; full objects are
// rebuilt from the seed when requested (with a small cache), so `large` stays within memory.
import { COUPON_COUNT, PRICE_COUNT, PRODUCT_COUNT, buildCoupon, buildPrice, buildProduct, couponId, priceId, productId } from './build-catalog.js';
import { HistoryBuilder, idOf } from './build-history.js';
import type { HistoryContext } from './build-history.js';
import { DAY, addMonths } from './calendar.js';
import type { CustomerFacts, ObjectKind } from './facts.js';
import { SLOTS, customerIndexOfKey, objectKey, parseId, prefixOf } from './ids.js';
import { hashSeed } from './rng.js';
import { simulateCustomer } from './simulate-customer.js';
import type { SimulationSettings } from './simulate-customer.js';
import type { StripeObject } from './types.js';
import { IndexBuilder } from '../store/sorted-index.js';
import type { SortedIndex } from '../store/sorted-index.js';

export type BusinessSize = 'demo' | 'small' | 'large' | 'empty';
export const CUSTOMER_COUNTS: Record<BusinessSize, number> = { empty: 0, small: 50, demo: 500, large: 100_000 };
// The large business has a longer history so that it holds well over a million invoices.
export const DEFAULT_HISTORY_MONTHS: Record<BusinessSize, number> = { empty: 24, small: 24, demo: 24, large: 60 };

export type HistoryKind = ObjectKind | 'balance_transaction' | 'event';
export const HISTORY_KINDS: readonly HistoryKind[] = ['customer', 'subscription', 'invoice', 'charge', 'refund', 'dispute', 'balance_transaction', 'event'];

const PREFIX_KIND: Record<string, HistoryKind> = {
  cus: 'customer', sub: 'subscription', in: 'invoice', ch: 'charge', re: 'refund', dp: 'dispute', txn: 'balance_transaction', evt: 'event',
};

export const SUB_STATUS_CODES = ['trialing', 'active', 'past_due', 'canceled'] as const;

export interface BusinessOptions {
  size: BusinessSize;
  seed: number;
  /** Unix seconds: the end of the simulated history. */
  now: number;
  accountId: string;
  accountName: string;
  historyMonths?: number;
  /** How far back events are generated (the store applies the exact retention window when listing). */
  eventRetentionDays: number;
}

export class Business {
  readonly ctx: HistoryContext;
  readonly settings: SimulationSettings;
  readonly customerCount: number;
  readonly indexes = new Map<HistoryKind, SortedIndex>();
  /** Event type names, indexed by the code stored in the event index. */
  readonly eventTypes: string[] = [];
  private readonly cache = new Map<number, CustomerFacts>();
  private readonly cacheLimit = 5_000;
  readonly couponRedemptions: number[] = new Array<number>(COUPON_COUNT).fill(0);

  constructor(readonly options: BusinessOptions) {
    const historyStart = addMonths(options.now, -(options.historyMonths ?? DEFAULT_HISTORY_MONTHS[options.size]));
    this.customerCount = CUSTOMER_COUNTS[options.size];
    const salt = hashSeed(options.seed, options.accountId);
    this.settings = { seed: hashSeed(options.seed, options.accountId, 'sim'), now: options.now, historyStart, eventsFrom: options.now - (options.eventRetentionDays + 1) * DAY };
    this.ctx = { salt, created: historyStart - 30 * DAY, accountId: options.accountId, accountName: options.accountName, now: options.now,
      multiCurrency: options.size === 'demo' || options.size === 'large' };
    this.buildIndexes();
  }

  private buildIndexes(): void {
    const builders = new Map<HistoryKind, IndexBuilder>(HISTORY_KINDS.map((k) => [k, new IndexBuilder()]));
    const add = (kind: HistoryKind, created: number, key: number, code = 0): void => builders.get(kind)?.add(created, key, code);
    const eventCodes = new Map<string, number>();
    for (let i = 0; i < this.customerCount; i++) {
      const f = simulateCustomer(this.settings, i);
      add('customer', f.created, objectKey(i, 0));
      if (f.coupon !== null) this.couponRedemptions[f.coupon] = (this.couponRedemptions[f.coupon] ?? 0) + 1;
      for (const s of f.subs) {
        add('subscription', s.created, objectKey(i, s.n), SUB_STATUS_CODES.indexOf(s.status));
        if (s.coupon !== null) this.couponRedemptions[s.coupon] = (this.couponRedemptions[s.coupon] ?? 0) + 1;
      }
      for (const x of f.invoices) add('invoice', x.created, objectKey(i, x.n));
      for (const x of f.charges) add('charge', x.created, objectKey(i, x.n));
      for (const x of f.refunds) add('refund', x.created, objectKey(i, x.n));
      for (const x of f.disputes) add('dispute', x.created, objectKey(i, x.n));
      for (const x of f.txns) add('balance_transaction', x.created, objectKey(i, x.n));
      for (const e of f.events) {
        let code = eventCodes.get(e.type);
        if (code === undefined) {
          code = this.eventTypes.length;
          this.eventTypes.push(e.type);
          eventCodes.set(e.type, code);
        }
        add('event', e.created, objectKey(i, e.n), code);
      }
      if (f.invoices.length >= SLOTS || f.events.length >= SLOTS) throw new Error(`customer ${i} exceeds ${SLOTS} objects of a kind`);
    }
    for (const [kind, builder] of builders) this.indexes.set(kind, builder.build());
  }

  facts(customerIndex: number): CustomerFacts {
    const hit = this.cache.get(customerIndex);
    if (hit) return hit;
    const facts = simulateCustomer(this.settings, customerIndex);
    if (this.cache.size >= this.cacheLimit) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(customerIndex, facts);
    return facts;
  }

  builder(customerIndex: number): HistoryBuilder {
    return new HistoryBuilder(this.ctx, this.facts(customerIndex));
  }

  /** Builds the object at `key` of a history kind. */
  object(kind: HistoryKind, key: number): StripeObject {
    const b = this.builder(customerIndexOfKey(key));
    const n = key % SLOTS;
    if (kind === 'balance_transaction') return b.txn(n);
    if (kind === 'event') return b.event(n);
    return b.objectFor(kind, n);
  }

  /** The created timestamp of the object at `key`, without building its JSON. */
  createdOf(kind: HistoryKind, key: number): number | undefined {
    const f = this.facts(customerIndexOfKey(key));
    const n = key % SLOTS;
    switch (kind) {
      case 'customer': return f.created;
      case 'subscription': return f.subs[n]?.created;
      case 'invoice': return f.invoices[n]?.created;
      case 'charge': return f.charges[n]?.created;
      case 'refund': return f.refunds[n]?.created;
      case 'dispute': return f.disputes[n]?.created;
      case 'balance_transaction': return f.txns[n]?.created;
      case 'event': return f.events[n]?.created;
    }
  }

  /** Resolves one of this business's history ids to its kind and key, if it exists. */
  locate(id: string): { kind: HistoryKind; key: number } | undefined {
    const prefix = prefixOf(id);
    const kind = PREFIX_KIND[prefix];
    if (!kind) return undefined;
    const key = parseId(id, prefix, this.ctx.salt);
    if (key === undefined || customerIndexOfKey(key) >= this.customerCount) return undefined;
    if (kind === 'customer' && key % SLOTS !== 0) return undefined;
    if (this.createdOf(kind, key) === undefined) return undefined;
    return { kind, key };
  }

  customerId(customerIndex: number): string {
    return idOf(this.ctx, 'customer', customerIndex, 0);
  }

  products(): StripeObject[] {
    return Array.from({ length: PRODUCT_COUNT }, (_, p) => buildProduct(this.ctx, p));
  }

  prices(): StripeObject[] {
    return Array.from({ length: PRICE_COUNT }, (_, i) => buildPrice(this.ctx, i));
  }

  coupons(): StripeObject[] {
    return Array.from({ length: COUPON_COUNT }, (_, i) => buildCoupon(this.ctx, i, this.couponRedemptions[i] ?? 0));
  }

  catalogIds(): { products: string[]; prices: string[]; coupons: string[] } {
    return {
      products: Array.from({ length: PRODUCT_COUNT }, (_, p) => productId(this.ctx, p)),
      prices: Array.from({ length: PRICE_COUNT }, (_, i) => priceId(this.ctx, i)),
      coupons: Array.from({ length: COUPON_COUNT }, (_, i) => couponId(i)),
    };
  }
}
