// Coupons and discounts for the engine. A customer's discount comes whole in the customer object. A
// subscription lists only its discounts' ids (Stripe does not expand them in lists), so each is identified
// from the invoices that applied it: the synced coupon whose percent or amount reproduces every discount
// amount those invoices show (ambiguities resolve to the first coupon id in sort order). Pure: no I/O.
import { forCurrency, type CouponInput, type DiscountInput } from '../metrics/index.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function couponFromObject(c: Obj): CouponInput | null {
  const id = str(c['id']);
  const duration = str(c['duration']);
  if (!id || (duration !== 'once' && duration !== 'repeating' && duration !== 'forever')) return null;
  return {
    id,
    percent_off: num(c['percent_off']) ?? (str(c['percent_off']) ?? null),
    amount_off: num(c['amount_off']),
    currency: str(c['currency']),
    duration,
    duration_in_months: num(c['duration_in_months']),
  };
}

/** A discount object (customer.discount): coupon in `coupon` (older API) or `source.coupon` (current). */
export function discountFromObject(d: unknown, coupons: ReadonlyMap<string, CouponInput>): DiscountInput | null {
  const o = obj(d);
  if (!o) return null;
  const couponRaw = o['coupon'] ?? obj(o['source'])?.['coupon'];
  const coupon = obj(couponRaw) ? couponFromObject(obj(couponRaw) as Obj) : typeof couponRaw === 'string' ? coupons.get(couponRaw) ?? null : null;
  const start = num(o['start']);
  if (!coupon || start === null) return null;
  const out: DiscountInput = { coupon, start };
  const id = str(o['id']);
  if (id) out.id = id;
  const end = num(o['end']);
  if (end !== null) out.end = end;
  return out;
}

/** What one invoice shows about one discount. */
export interface DiscountObservation {
  discountId: string;
  /** amount taken off, minor units */
  amount: number;
  /** amount before discounts */
  subtotal: number;
  currency: string;
  periodStart: number;
  periodEnd: number;
}

/** Discount amounts of a decrypted invoice payload (`total_discount_amounts`). */
export function invoiceDiscountAmounts(invoice: Obj): { discountId: string; amount: number }[] {
  const list = Array.isArray(invoice['total_discount_amounts']) ? (invoice['total_discount_amounts'] as unknown[]) : [];
  const out: { discountId: string; amount: number }[] = [];
  for (const entry of list) {
    const e = obj(entry);
    const id = str(e?.['discount']) ?? str(obj(e?.['discount'])?.['id']);
    const amount = num(e?.['amount']);
    if (id && amount !== null) out.push({ discountId: id, amount });
  }
  return out;
}

function matches(c: CouponInput, o: DiscountObservation): boolean {
  if (o.amount <= 0 || o.subtotal <= 0) return false;
  if (c.percent_off !== null && c.percent_off !== undefined) {
    const exact = (o.subtotal * Number(c.percent_off)) / 100;
    return Math.abs(exact - o.amount) <= 0.5;
  }
  if (c.amount_off !== null && c.amount_off !== undefined) {
    // An invoice in another currency than the coupon's takes off the coupon's currency_options amount.
    const off = (c.currency ?? '').toLowerCase() === o.currency.toLowerCase() ? c.amount_off : forCurrency(c.currency_options, o.currency)?.amount_off;
    return off !== undefined && Math.min(o.subtotal, off) === o.amount;
  }
  return false;
}

/**
 * The subscription's own discounts, identified from its invoices. `ids` are the discount ids the subscription
 * lists now plus those its invoices applied (minus the customer's own discount). A discount applied from the
 * subscription's first paid invoice starts with the subscription (Stripe applies coupons given at creation
 * from `start_date`); a `once` coupon covers exactly the first invoice it was applied to.
 */
export function inferSubscriptionDiscounts(
  ids: readonly string[],
  observations: readonly DiscountObservation[],
  coupons: readonly CouponInput[],
  sub: { startDate: number | null; firstPaidPeriodStart: number | null },
): DiscountInput[] {
  const out: DiscountInput[] = [];
  const sortedCoupons = [...coupons].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const id of ids) {
    const obs = observations.filter((o) => o.discountId === id).sort((a, b) => a.periodStart - b.periodStart);
    const first = obs[0];
    if (!first) continue;
    const coupon = sortedCoupons.find((c) => obs.every((o) => matches(c, o)));
    if (!coupon) continue;
    const start = sub.startDate !== null && first.periodStart === sub.firstPaidPeriodStart ? Math.min(sub.startDate, first.periodStart) : first.periodStart;
    const d: DiscountInput = { id, coupon, start };
    if (coupon.duration === 'once') {
      d.start = first.periodStart;
      d.end = first.periodEnd;
    }
    out.push(d);
  }
  return out;
}
