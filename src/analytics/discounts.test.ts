// Identifying a subscription's coupon from the amounts its invoices took off.
import { describe, expect, it } from 'vitest';
import type { CouponInput } from '../metrics/index.js';
import { inferSubscriptionDiscounts, type DiscountObservation } from './discounts.js';

const fiveOff: CouponInput = { id: 'five_off', amount_off: 500, currency: 'gbp', currency_options: { eur: { amount_off: 600 }, usd: { amount_off: 650 } }, duration: 'forever' };
const tenPercent: CouponInput = { id: 'ten_pct', percent_off: 10, duration: 'forever' };
const obs = (currency: string, amount: number, subtotal = 3300): DiscountObservation => ({ discountId: 'di_1', amount, subtotal, currency, periodStart: 1_700_000_000, periodEnd: 1_702_592_000 });
const infer = (o: DiscountObservation[]) => inferSubscriptionDiscounts(['di_1'], o, [fiveOff, tenPercent], { startDate: 1_700_000_000, firstPaidPeriodStart: 1_700_000_000 });

describe('inferSubscriptionDiscounts', () => {
  it('recognises an amount-off coupon on an invoice in another currency by its currency_options amount', () => {
    expect(infer([obs('eur', 600), obs('eur', 600)]).map((d) => d.coupon.id)).toEqual(['five_off']);
    expect(infer([obs('usd', 650)]).map((d) => d.coupon.id)).toEqual(['five_off']);
    expect(infer([obs('gbp', 500)]).map((d) => d.coupon.id)).toEqual(['five_off']);
  });

  it('does not take the coupon for an amount it never takes off, nor in a currency it has no option for', () => {
    expect(infer([obs('eur', 500)])).toEqual([]);
    expect(infer([obs('chf', 600)])).toEqual([]);
    // 10 % of 3300 is 330: the percent coupon, not the amount one
    expect(infer([obs('eur', 330)]).map((d) => d.coupon.id)).toEqual(['ten_pct']);
  });
});
