/**
 * Builders shared by the metrics tests (not exported from index.ts): terse constructors for Stripe-shaped
 * inputs so each golden scenario reads like the situation it describes.
 */
import type { CustomerInput, DiscountInput, Interval, PriceInput, SubscriptionInput, SubscriptionItemInput, SubscriptionStatus, SubscriptionVersion } from './types.js';
import { computeOrg, type OrgResult } from './engine.js';
import type { EngineOptionsInput } from './options.js';
import { MOVEMENT_KINDS, type MovementKind } from './movements.js';
import type { FxRateInput } from './types.js';

/** Unix seconds from an ISO instant, e.g. T('2024-01-15T12:00Z'). */
export const T = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms / 1000;
};

export function price(id: string, amount: number, interval: Interval = 'month', count = 1, currency = 'gbp', extra: Partial<PriceInput> = {}): PriceInput {
  return { id, currency, unit_amount: amount, recurring: { interval, interval_count: count }, billing_scheme: 'per_unit', ...extra };
}

export const item = (p: PriceInput, quantity = 1): SubscriptionItemInput => ({ price: p, quantity });

export function ver(at: string, status: SubscriptionStatus, items: SubscriptionItemInput[], extra: Partial<SubscriptionVersion> = {}): SubscriptionVersion {
  return { validFrom: T(at), status, items, ...extra };
}

export function sub(id: string, customerId: string, versions: SubscriptionVersion[], extra: Partial<SubscriptionInput> = {}): SubscriptionInput {
  return { id, customerId, currency: 'gbp', versions, ...extra };
}

export function discount(at: string, coupon: DiscountInput['coupon'], end?: string): DiscountInput {
  return end === undefined ? { start: T(at), coupon } : { start: T(at), end: T(end), coupon };
}

export interface Scenario {
  name: string;
  options?: EngineOptionsInput;
  customers?: CustomerInput[];
  subs: SubscriptionInput[];
  fx?: FxRateInput[];
  from: string;
  to: string;
  /** expected org MRR at the end of these days */
  mrr: Record<string, number>;
  /** every non-zero movement in range, exactly: [date, kind, amount] */
  movements: Array<[string, MovementKind, number]>;
  paying?: Record<string, number>;
}

export function run(s: Pick<Scenario, 'options' | 'customers' | 'subs' | 'fx' | 'from' | 'to'>): OrgResult {
  return computeOrg(
    { customers: s.customers ?? [], subscriptions: s.subs, fxRates: s.fx ?? [], from: s.from, to: s.to },
    { timezone: 'UTC', ...s.options },
  );
}

export function movementList(r: OrgResult): Array<[string, MovementKind, number]> {
  const out: Array<[string, MovementKind, number]> = [];
  for (const d of r.aggregates.days) for (const k of MOVEMENT_KINDS) if (d[k] !== 0) out.push([d.date, k, d[k]]);
  return out;
}

export function mrrOn(r: OrgResult, date: string): number {
  if (date < r.aggregates.from) return r.aggregates.opening.mrr;
  const d = r.aggregates.days.find((x) => x.date === date);
  if (!d) throw new Error(`no day ${date}`);
  return d.mrr;
}
