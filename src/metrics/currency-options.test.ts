/**
 * Multi-currency prices and coupons: a subscription in a currency other than its price's is billed from the
 * price's `currency_options` entry for that currency (unit amount or tiers), and an amount_off coupon takes off
 * its `currency_options` amount. The worked example is the one in docs/metrics.md.
 */
import { describe, expect, it } from 'vitest';
import { rat } from './rational.js';
import { priceAmount, priceInCurrency } from './tiers.js';
import { applyDiscounts } from './discounts.js';
import { MOWT_DEFAULT } from './options.js';
import { prepareSubscription, subscriptionMrrAt } from './mrr.js';
import { discount, item, price, sub, T, ver } from './test-support.js';
import type { CouponInput, PriceInput } from './types.js';

// Pro monthly: £29.00, or €33.00 / $36.00.
const pro = price('price_pro', 2900, 'month', 1, 'GBP', { currency_options: { gbp: { unit_amount: 2900 }, eur: { unit_amount: 3300 }, usd: { unit_amount_decimal: '3600' } } });
// Team, volume tiers per seat: ≤5 at £15, ≤20 at £12, more at £9 + £20 flat; in EUR ≤5 at €17, ≤20 at €14, more at €10 + €23.
const team: PriceInput = price('price_team', 0, 'month', 1, 'GBP', {
  billing_scheme: 'tiered', tiers_mode: 'volume', unit_amount: null,
  tiers: [{ up_to: 5, unit_amount: 1500 }, { up_to: 20, unit_amount: 1200 }, { up_to: 'inf', unit_amount: 900, flat_amount: 2000 }],
  currency_options: { EUR: { tiers: [{ up_to: 5, unit_amount: 1700 }, { up_to: 20, unit_amount: 1400 }, { up_to: 'inf', unit_amount: 1000, flat_amount: 2300 }] } },
});
// £5 off forever; €6 off in EUR.
const fiveOff: CouponInput = { id: 'five-off', amount_off: 500, currency: 'gbp', currency_options: { eur: { amount_off: 600 } }, duration: 'forever' };

describe('currency_options', () => {
  it('a price in its own currency is itself; in another, the amounts of that currency option (any key case)', () => {
    expect(priceInCurrency(pro, 'gbp')).toBe(pro);
    expect(priceAmount(priceInCurrency(pro, 'EUR'), 2)).toEqual(rat(6600n)); // 2 × 3300
    expect(priceAmount(priceInCurrency(pro, 'usd'), 1)).toEqual(rat(3600n));
    // volume: 7 seats fall in the ≤20 tier → 7 × 1400 = 9800 (in GBP it would be 7 × 1200 = 8400)
    expect(priceAmount(priceInCurrency(team, 'eur'), 7)).toEqual(rat(9800n));
    expect(priceAmount(priceInCurrency(team, 'gbp'), 7)).toEqual(rat(8400n));
    // 25 seats: last tier 25 × 1000 + 2300 flat = 27300
    expect(priceAmount(priceInCurrency(team, 'eur'), 25)).toEqual(rat(27300n));
  });

  it('no option for the currency, or a tiered option without tiers, is an error rather than a wrong amount', () => {
    expect(() => priceInCurrency(pro, 'jpy')).toThrow(/no jpy currency option/);
    expect(() => priceInCurrency(price('p', 900), 'eur')).toThrow(RangeError);
    const noTiers: PriceInput = { ...team, currency_options: { eur: { unit_amount: null } } };
    expect(() => priceAmount(priceInCurrency(noTiers, 'eur'), 3)).toThrow(/has no tiers/);
  });

  it('an amount_off coupon takes off its currency option in another currency', () => {
    expect(applyDiscounts(rat(13100n), [discount('2024-01-01T00:00Z', fiveOff)], 'EUR', { interval: 'month', interval_count: 1 })).toEqual(rat(12500n));
    expect(applyDiscounts(rat(13100n), [discount('2024-01-01T00:00Z', fiveOff)], 'GBP', { interval: 'month', interval_count: 1 })).toEqual(rat(12600n));
    expect(() => applyDiscounts(rat(13100n), [discount('2024-01-01T00:00Z', fiveOff)], 'USD', { interval: 'month', interval_count: 1 })).toThrow(/is in gbp/);
  });

  it('worked example: a EUR subscription on GBP prices, Pro + 7 Team seats with €6 off = €125.00 MRR', () => {
    const s = prepareSubscription(sub('sub_eur', 'cus_1', [
      ver('2024-01-01T00:00Z', 'active', [item(pro), item(team, 7)], { discounts: [discount('2024-01-01T00:00Z', fiveOff)] }),
    ], { currency: 'eur' }));
    // 3300 + 7 × 1400 = 13100, − 600 = 12500 cents a month
    expect(subscriptionMrrAt(s, T('2024-02-01T00:00Z'), [], MOWT_DEFAULT)).toEqual(rat(12500n));
  });
});
