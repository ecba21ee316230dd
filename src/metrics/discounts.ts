/**
 * Discounts (Stripe coupons) reducing a subscription's monthly revenue: which are active at an instant, and
 * how much they take off.
 */
import type { DiscountInput, Interval } from './types.js';
import type { EngineOptions } from './options.js';
import { addMonthsUtc } from './calendar.js';
import { monthlyFactor } from './normalise.js';
import { forCurrency } from './tiers.js';
import { fromInt, max, mul, parseDecimal, rat, sub, ZERO, ONE, type Rational } from './rational.js';

export interface BillingInterval {
  interval: Interval;
  interval_count: number;
}

/** The instant one billing interval after `t`. */
export function addInterval(t: number, b: BillingInterval): number {
  switch (b.interval) {
    case 'day':
      return t + 86_400 * b.interval_count;
    case 'week':
      return t + 7 * 86_400 * b.interval_count;
    case 'month':
      return addMonthsUtc(t, b.interval_count);
    case 'year':
      return addMonthsUtc(t, 12 * b.interval_count);
  }
}

/**
 * When a discount stops applying. Stripe's own `end` wins; otherwise `once` covers the first invoice, i.e. one
 * billing interval; `repeating` covers `duration_in_months` calendar months; `forever` never ends.
 */
export function discountEnd(d: DiscountInput, billing: BillingInterval | null): number | null {
  if (d.end !== undefined && d.end !== null) return d.end;
  switch (d.coupon.duration) {
    case 'forever':
      return null;
    case 'repeating': {
      const months = d.coupon.duration_in_months;
      if (months === undefined || months === null || months < 1) {
        throw new RangeError(`repeating coupon ${d.coupon.id} needs duration_in_months`);
      }
      return addMonthsUtc(d.start, months);
    }
    case 'once':
      return billing ? addInterval(d.start, billing) : d.start;
  }
}

export function isDiscountActive(d: DiscountInput, t: number, billing: BillingInterval | null): boolean {
  if (t < d.start) return false;
  const end = discountEnd(d, billing);
  return end === null || t < end;
}

/**
 * Discounts that apply at `t`: the subscription's own active discounts, or — only when it has none — the
 * customer's (Stripe lets a subscription discount override the customer's). Then the convention decides which
 * durations are subtracted from MRR.
 */
export function applicableDiscounts(
  subscriptionDiscounts: readonly DiscountInput[],
  customerDiscounts: readonly DiscountInput[],
  t: number,
  billing: BillingInterval | null,
  durations: EngineOptions['discountDurations'],
): DiscountInput[] {
  const own = subscriptionDiscounts.filter((d) => isDiscountActive(d, t, billing));
  const chosen = own.length > 0 ? own : customerDiscounts.filter((d) => isDiscountActive(d, t, billing));
  return chosen.filter((d) => durations[d.coupon.duration]);
}

/**
 * Monthly amount after discounts, applied in the order given: a percent takes its share of the running amount;
 * a fixed amount is per invoice, so it is spread over the billing interval (× the same monthly factor as the
 * price). Never below zero.
 */
export function applyDiscounts(
  monthlyGross: Rational,
  discounts: readonly DiscountInput[],
  currency: string,
  billing: BillingInterval | null,
): Rational {
  let amount = monthlyGross;
  for (const d of discounts) {
    const c = d.coupon;
    if (c.percent_off !== undefined && c.percent_off !== null) {
      const p = parseDecimal(c.percent_off);
      amount = mul(amount, sub(ONE, mul(p, rat(1n, 100n))));
    } else if (c.amount_off !== undefined && c.amount_off !== null) {
      // In another currency, Stripe takes off the coupon's currency_options amount for that currency.
      const off = (c.currency ?? '').toUpperCase() === currency.toUpperCase() ? c.amount_off : forCurrency(c.currency_options, currency)?.amount_off;
      if (off === undefined) {
        throw new RangeError(`coupon ${c.id} is in ${c.currency ?? '?'} but the subscription is in ${currency}`);
      }
      const factor = billing ? monthlyFactor(billing.interval, billing.interval_count) : ONE;
      amount = sub(amount, mul(fromInt(off), factor));
    }
    amount = max(amount, ZERO);
  }
  return amount;
}
