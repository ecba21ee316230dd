/**
 * Edge cases and boundaries of the building blocks, each expectation worked by hand. Written while reading the
 * mutants Stryker left alive (`npm run mutation`): every test here pins a rule of docs/metrics.md that the
 * golden scenarios did not reach (a boundary, an error message, a default, an input shape Stripe can send).
 */
import { describe, expect, it } from 'vitest';
import { parseDecimal, rat, roundHalfEven, max, min, fromInt, toNumber } from './rational.js';
import { buildFxTable, minorFactor, minorUnitExponent, MissingFxRateError, rateOn, toReporting } from './fx.js';
import { monthlyFactor } from './normalise.js';
import { billedQuantity, priceAmount } from './tiers.js';
import { addDays, addMonthsToDate, dateRange, dayEnd, dayOf, dayStart, daysBetween, monthEnd, monthStart, parseDate, weekStart } from './calendar.js';
import { MOWT_DEFAULT, resolveOptions, STRIPE_PRESET } from './options.js';
import { customerKey, filterSubscription, groupByCustomer, isCustomerExcluded, isItemExcluded } from './filters.js';
import { applicableDiscounts, applyDiscounts, discountEnd, isDiscountActive } from './discounts.js';
import { billingIntervalOf, grossMonthly, isEarning, prepareSubscription, recurringItems, subscriptionBreakpoints, subscriptionMrrAt } from './mrr.js';
import { item, price, sub, T, ver } from './test-support.js';
import type { PriceInput } from './types.js';
import type { EngineOptionsInput } from './options.js';

describe('rational edge cases', () => {
  it('parses inner zeros, signs, trailing dots, spaces and long exponents', () => {
    expect(parseDecimal('10.05')).toEqual(rat(201n, 20n)); // 1005 / 100
    expect(parseDecimal('1005')).toEqual(rat(1005n));
    expect(parseDecimal('+5')).toEqual(rat(5n));
    expect(parseDecimal('-5')).toEqual(rat(-5n));
    expect(parseDecimal('5.')).toEqual(rat(5n));
    expect(parseDecimal(' 12.5 ')).toEqual(rat(25n, 2n));
    expect(parseDecimal('1e+2')).toEqual(rat(100n));
    expect(parseDecimal('3e10')).toEqual(rat(30_000_000_000n));
    expect(parseDecimal('25e-12')).toEqual(rat(1n, 40_000_000_000n)); // 25 / 10^12
    expect(parseDecimal(-0.25)).toEqual(rat(-1n, 4n));
  });
  it('rejects anything that is not a whole decimal', () => {
    for (const bad of ['', 'e5', 'a5', '5a', '1.2.3', '--1', '1e', '0x10']) expect(() => parseDecimal(bad), bad).toThrow(/not a decimal/);
    expect(() => parseDecimal(Number.POSITIVE_INFINITY)).toThrow(/not a finite number/);
  });
  it('rounds exact integers and quarter values half-even', () => {
    // 9/4 = 2.25 → 2; 11/4 = 2.75 → 3; -9/4 = -2.25 → -2; -11/4 = -2.75 → -3; -6/3 = -2 exactly
    expect([rat(9n, 4n), rat(11n, 4n), rat(-9n, 4n), rat(-11n, 4n), rat(-6n, 3n)].map(roundHalfEven)).toEqual([2n, 3n, -2n, -3n, -2n]);
  });
  it('max, min, fromInt and toNumber', () => {
    expect(max(rat(1n, 3n), rat(1n, 2n))).toEqual(rat(1n, 2n));
    expect(max(rat(1n, 2n), rat(1n, 3n))).toEqual(rat(1n, 2n));
    expect(min(rat(1n, 3n), rat(1n, 2n))).toEqual(rat(1n, 3n));
    expect(min(rat(1n, 2n), rat(1n, 3n))).toEqual(rat(1n, 3n));
    expect(fromInt(-7)).toEqual({ n: -7n, d: 1n });
    expect(toNumber(rat(-3n, 8n))).toBe(-0.375);
  });
});

describe('fx edge cases', () => {
  it('knows every zero- and three-decimal currency listed in docs/metrics.md §5', () => {
    for (const c of ['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']) expect([c, minorUnitExponent(c)]).toEqual([c, 0]);
    for (const c of ['BHD', 'JOD', 'KWD', 'OMR', 'TND']) expect([c, minorUnitExponent(c.toLowerCase())]).toEqual([c, 3]);
    for (const c of ['GBP', 'USD', 'EUR', 'CHF', '']) expect([c, minorUnitExponent(c)]).toEqual([c, 2]);
  });
  it('converts from a three-decimal currency: 1 fils = 1/1000 KWD; at 2.6 GBP per KWD that is 0.26p', () => {
    const t = buildFxTable([{ currency: 'KWD', date: '2024-01-01', rate: '2.6' }], 'GBP');
    // rate 2.6 × 10^(2 − 3) = 26/100
    expect(minorFactor(t, 'KWD', '2024-01-01')).toEqual(rat(13n, 50n));
    // 10000 fils (10 KWD) → 2600p
    expect(toReporting(t, rat(10000n), 'KWD', '2024-01-01')).toEqual(rat(2600n));
  });
  it('a zero amount needs no rate at all', () => {
    const t = buildFxTable([], 'GBP');
    expect(toReporting(t, rat(0n), 'CHF', '2024-01-01')).toEqual(rat(0n));
    expect(() => toReporting(t, rat(1n), 'CHF', '2024-01-01')).toThrow(MissingFxRateError);
  });
  it('errors say which currency and day', () => {
    const t = buildFxTable([{ currency: 'USD', date: '2024-01-05', rate: '0.8' }], 'GBP');
    let caught: unknown;
    try {
      rateOn(t, 'usd', '2024-01-04');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MissingFxRateError);
    expect(caught).toMatchObject({ name: 'MissingFxRateError', currency: 'USD', date: '2024-01-04', message: 'no FX rate for USD on or before 2024-01-04' });
    expect(() => buildFxTable([{ currency: 'usd', date: '2024-01-01', rate: '-0.8' }], 'GBP')).toThrow('FX rate for USD on 2024-01-01 must be positive');
  });
  it('finds the right rate among many dates (before, on, between and after each)', () => {
    const dates = ['2024-01-01', '2024-01-03', '2024-01-07', '2024-01-10', '2024-01-20'];
    const t = buildFxTable(dates.map((date, i) => ({ currency: 'EUR', date, rate: String(i + 1) })).reverse(), 'GBP');
    expect(t.series.get('EUR')?.dates).toEqual(dates); // sorted ascending
    const at = (d: string) => Number(rateOn(t, 'EUR', d).n);
    expect(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-06', '2024-01-07', '2024-01-09', '2024-01-10', '2024-01-19', '2024-01-20', '2024-02-01'].map(at)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(() => rateOn(t, 'EUR', '2023-12-31')).toThrow(MissingFxRateError);
  });
  it('the reporting currency converts at 1 whatever the case, without a table entry', () => {
    const t = buildFxTable([], 'gbp');
    expect(t.reportingCurrency).toBe('GBP');
    expect(rateOn(t, 'gbp', '2024-01-01')).toEqual(rat(1n));
  });
});

describe('interval normalisation edge cases', () => {
  it('rejects a fractional or non-positive interval_count with a message', () => {
    expect(() => monthlyFactor('month', 1.5)).toThrow('interval_count must be a positive integer, got 1.5');
    expect(() => monthlyFactor('week', -1)).toThrow(RangeError);
    expect(monthlyFactor('week', 2)).toEqual(rat(13n, 6n)); // 52 ÷ 24
  });
});

describe('tier and price edge cases', () => {
  it('an absent billing_scheme means per unit', () => {
    const p: PriceInput = { id: 'x', currency: 'gbp', unit_amount: 700, recurring: { interval: 'month', interval_count: 1 } };
    expect(priceAmount(p, 3)).toEqual(rat(2100n)); // 3 × 700
  });
  it('an empty or null unit_amount_decimal falls back to unit_amount', () => {
    expect(priceAmount(price('x', 300, 'month', 1, 'gbp', { unit_amount_decimal: '' }), 2)).toEqual(rat(600n));
    expect(priceAmount(price('x', 300, 'month', 1, 'gbp', { unit_amount_decimal: null }), 2)).toEqual(rat(600n));
    expect(priceAmount(price('x', 300, 'month', 1, 'gbp', { unit_amount_decimal: '0.25' }), 2)).toEqual(rat(1n, 2n));
  });
  it('transform_quantity applies to per-unit prices: 25 seats per 10, up → 3 × 1000', () => {
    expect(priceAmount(price('x', 1000, 'month', 1, 'gbp', { transform_quantity: { divide_by: 10, round: 'up' } }), 25)).toEqual(rat(3000n));
    expect(() => billedQuantity(price('x', 1, 'month', 1, 'gbp', { transform_quantity: { divide_by: -2, round: 'up' } }), 3)).toThrow('transform_quantity.divide_by must be > 0 on price x');
  });
  it('quantity errors name the price', () => {
    expect(() => priceAmount(price('px', 100), -1)).toThrow('quantity must be a non-negative integer on price px');
    expect(() => priceAmount(price('pt', 0, 'month', 1, 'gbp', { billing_scheme: 'tiered', tiers_mode: 'volume' }), 1)).toThrow('tiered price pt has no tiers');
  });
  const tiered = (mode: 'volume' | 'graduated', tiers: NonNullable<PriceInput['tiers']>) => price('t', 0, 'month', 1, 'gbp', { billing_scheme: 'tiered', tiers_mode: mode, tiers, unit_amount: null });
  it('volume: quantity 0 bills nothing even on a tier with a flat amount', () => {
    expect(priceAmount(tiered('volume', [{ up_to: 5, unit_amount: 100, flat_amount: 500 }, { up_to: 'inf', unit_amount: 80 }]), 0)).toEqual(rat(0n));
    expect(priceAmount(tiered('volume', [{ up_to: 5, unit_amount: 100, flat_amount: 500 }, { up_to: 'inf', unit_amount: 80 }]), 1)).toEqual(rat(600n)); // 100 + 500
  });
  it('volume beyond the last finite tier uses the last tier; up_to null means no limit', () => {
    // 12 units, tiers ≤5 at 100, ≤10 at 80: none contains 12 → the last: 12 × 80 = 960
    expect(priceAmount(tiered('volume', [{ up_to: 5, unit_amount: 100 }, { up_to: 10, unit_amount: 80 }]), 12)).toEqual(rat(960n));
    // up_to null: 7 units fall in the open tier at 50 → 350
    expect(priceAmount(tiered('volume', [{ up_to: 5, unit_amount: 100 }, { up_to: null, unit_amount: 50 }]), 7)).toEqual(rat(350n));
    // graduated with null: 5 × 100 + 2 × 50 = 600
    expect(priceAmount(tiered('graduated', [{ up_to: 5, unit_amount: 100 }, { up_to: null, unit_amount: 50 }]), 7)).toEqual(rat(600n));
  });
  it('decimal tier amounts: flat_amount_decimal and unit_amount_decimal', () => {
    // volume, 3 units at 0.5 + flat 10.25 → 1.5 + 10.25 = 11.75
    expect(priceAmount(tiered('volume', [{ up_to: 'inf', unit_amount_decimal: '0.5', flat_amount_decimal: '10.25' }]), 3)).toEqual(rat(47n, 4n));
  });
  it('graduated: a tier whose flat amount is reached by one unit; the tier after a full one starts at its cap', () => {
    // ≤2 at 100 flat 10; ≤4 at 50 flat 20; then 10. 3 units → 2 × 100 + 10 + 1 × 50 + 20 = 280
    const g = tiered('graduated', [{ up_to: 2, unit_amount: 100, flat_amount: 10 }, { up_to: 4, unit_amount: 50, flat_amount: 20 }, { up_to: 'inf', unit_amount: 10 }]);
    expect(priceAmount(g, 3)).toEqual(rat(280n));
    // 2 units: only the first tier → 2 × 100 + 10 = 210 (the second tier's flat amount is not reached)
    expect(priceAmount(g, 2)).toEqual(rat(210n));
    // 6 units: 210 + 2 × 50 + 20 + 2 × 10 = 350
    expect(priceAmount(g, 6)).toEqual(rat(350n));
  });
});

describe('calendar edge cases', () => {
  it('parses only YYYY-MM-DD', () => {
    expect(parseDate('2024-02-29')).toEqual({ y: 2024, m: 2, d: 29 });
    for (const bad of ['x2024-01-01', '2024-01-01x', '2024-1-01', '2024-01-1', '24-01-01', '']) expect(() => parseDate(bad), bad).toThrow(`not a YYYY-MM-DD date: ${bad}`);
  });
  it('pads years before 1000', () => {
    expect(dayOf(Date.UTC(999, 5, 1) / 1000, 'UTC')).toBe('0999-06-01');
  });
  it('day starts west and east of UTC', () => {
    expect(dayStart('2024-01-10', 'America/New_York')).toBe(T('2024-01-10T05:00Z')); // UTC−5
    expect(dayStart('2024-01-10', 'Pacific/Kiritimati')).toBe(T('2024-01-09T10:00Z')); // UTC+14
    expect(dayStart('2024-01-10', 'Pacific/Pago_Pago')).toBe(T('2024-01-10T11:00Z')); // UTC−11
    expect(dayEnd('2024-01-10', 'UTC')).toBe(T('2024-01-10T23:59:59Z'));
    expect(dayOf(T('2024-01-10T04:59:59Z'), 'America/New_York')).toBe('2024-01-09');
  });
  it('date arithmetic across months and years', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysBetween('2024-01-01', '2024-03-01')).toBe(60); // 31 + 29
    expect(daysBetween('2024-03-01', '2024-01-01')).toBe(-60);
    expect(dateRange('2024-02-27', '2024-03-02')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
    expect(dateRange('2024-01-02', '2024-01-01')).toEqual([]);
    expect(monthStart('2024-02-17')).toBe('2024-02-01');
    expect(addMonthsToDate('2024-11-30', 3)).toBe('2025-02-01');
    expect(monthEnd('2023-02-01')).toBe('2023-02-28');
    // every weekday of one week maps to Monday 8 Jan 2024
    expect(dateRange('2024-01-08', '2024-01-14').map(weekStart)).toEqual(Array(7).fill('2024-01-08'));
  });
});

describe('option defaults (docs/metrics.md §7–§8)', () => {
  it('Mowt default: GBP, Europe/London, test mode excluded, LTV capped at 60 months', () => {
    expect(MOWT_DEFAULT).toMatchObject({ reportingCurrency: 'GBP', timezone: 'Europe/London', exclude: { testMode: true }, ltvMaxLifetimeMonths: 60 });
    expect(STRIPE_PRESET).toMatchObject({ reportingCurrency: 'GBP', timezone: 'Europe/London', exclude: { testMode: true }, ltvMaxLifetimeMonths: 60 });
    expect(MOWT_DEFAULT.accounts).toBeUndefined();
  });
  it('a preset name picks the base; no name means Mowt; overrides win; undefined does not override', () => {
    expect(resolveOptions({ preset: 'stripe' })).toEqual(STRIPE_PRESET);
    expect(resolveOptions({ preset: 'mowt' })).toEqual(MOWT_DEFAULT);
    expect(resolveOptions({ cancellation: 'cancel-request' }).discountDurations).toEqual({ once: true, repeating: true, forever: true });
    expect(resolveOptions({ discountDurations: { once: undefined, forever: false } }).discountDurations).toEqual({ once: true, repeating: true, forever: false });
    expect(resolveOptions({ exclude: { testMode: undefined, planIds: ['p'] } }).exclude).toEqual({ testMode: true, planIds: ['p'] });
    expect(resolveOptions({ exclude: { testMode: false } }).exclude.testMode).toBe(false);
    expect(resolveOptions({ ltvMaxLifetimeMonths: 24, accounts: ['a'] })).toMatchObject({ ltvMaxLifetimeMonths: 24, accounts: ['a'] });
  });
  it('currency must be three letters', () => {
    expect(resolveOptions({ reportingCurrency: 'eur' }).reportingCurrency).toBe('EUR');
    for (const bad of ['EURO', 'XEUR', 'EU', 'E1R', '']) expect(() => resolveOptions({ reportingCurrency: bad }), bad).toThrow(`bad currency ${bad}`);
  });
});

describe('exclusions (docs/metrics.md §8)', () => {
  const o = (exclude: EngineOptionsInput['exclude'], extra: EngineOptionsInput = {}) => resolveOptions({ timezone: 'UTC', ...extra, exclude });
  it('customer key joins account and id only when there is an account', () => {
    expect(customerKey('acct_1', 'cus_1')).toBe('acct_1/cus_1');
    expect(customerKey(undefined, 'cus_1')).toBe('cus_1');
    expect(customerKey('', 'cus_1')).toBe('cus_1');
  });
  it('customer metadata: any one matching key/value excludes; a customer without metadata stays', () => {
    const rules = o({ customerMetadata: { internal: 'true', team: 'qa' } });
    expect(isCustomerExcluded({ id: 'a', metadata: { team: 'qa' } }, rules)).toBe(true);
    expect(isCustomerExcluded({ id: 'b', metadata: { internal: 'false', team: 'sales' } }, rules)).toBe(false);
    expect(isCustomerExcluded({ id: 'c' }, rules)).toBe(false);
    expect(isCustomerExcluded({ id: 'd', metadata: { internal: 'true' } }, o({}))).toBe(false);
  });
  it('by id, test mode (only when the setting is on) and account selection', () => {
    expect(isCustomerExcluded({ id: 'x' }, o({ customerIds: ['x'] }))).toBe(true);
    expect(isCustomerExcluded({ id: 'y' }, o({ customerIds: ['x'] }))).toBe(false);
    expect(isCustomerExcluded({ id: 't', livemode: false }, o({}))).toBe(true);
    expect(isCustomerExcluded({ id: 't', livemode: false }, o({ testMode: false }))).toBe(false);
    expect(isCustomerExcluded({ id: 'l', livemode: true }, o({}))).toBe(false);
    expect(isCustomerExcluded({ id: 'a', accountId: 'acct_2' }, o({}, { accounts: ['acct_1'] }))).toBe(true);
    expect(isCustomerExcluded({ id: 'a' }, o({}, { accounts: ['acct_1'] }))).toBe(true);
    expect(isCustomerExcluded({ id: 'a', accountId: 'acct_1' }, o({}, { accounts: ['acct_1'] }))).toBe(false);
  });
  it('plans by price id, by product id, or by price metadata', () => {
    const it1 = item(price('price_a', 100, 'month', 1, 'gbp', { product: 'prod_a', metadata: { test: 'true' } }));
    expect(isItemExcluded(it1, o({ planIds: ['price_a'] }))).toBe(true);
    expect(isItemExcluded(it1, o({ planIds: ['prod_a'] }))).toBe(true);
    expect(isItemExcluded(it1, o({ planMetadata: { test: 'true' } }))).toBe(true);
    expect(isItemExcluded(it1, o({ planIds: ['prod_b'], planMetadata: { test: 'false' } }))).toBe(false);
    expect(isItemExcluded(item(price('price_b', 100)), o({ planIds: ['prod_a'] }))).toBe(false);
  });
  it('filtering a subscription keeps the other items; only plan ids, or only metadata, are enough', () => {
    const s = sub('s', 'c', [ver('2024-01-01T00:00Z', 'active', [item(price('keep', 100)), item(price('drop', 200, 'month', 1, 'gbp', { metadata: { x: '1' } }))])]);
    const ids = (r: ReturnType<typeof filterSubscription>) => r?.versions[0]?.items.map((i) => i.price.id);
    expect(ids(filterSubscription(s, o({ planIds: ['drop'] })))).toEqual(['keep']);
    expect(ids(filterSubscription(s, o({ planMetadata: { x: '1' } })))).toEqual(['keep']);
    expect(filterSubscription(s, o({}))).toBe(s); // nothing to filter: the same object
    expect(filterSubscription(s, o({ planIds: [] }))).toBe(s);
    expect(filterSubscription({ ...s, livemode: false }, o({}))).toBeNull();
    expect(filterSubscription({ ...s, livemode: false }, o({ testMode: false }))).not.toBeNull();
    expect(filterSubscription({ ...s, accountId: 'acct_9' }, o({}, { accounts: ['acct_1'] }))).toBeNull();
  });
  it('groups by customer key, sorted; a subscription of an excluded id without a customer row is dropped too', () => {
    const subs = [
      sub('s3', 'zed', [ver('2024-01-01T00:00Z', 'active', [item(price('p', 100))])]),
      sub('s1', 'amy', [ver('2024-01-01T00:00Z', 'active', [item(price('p', 100))])], { accountId: 'acct_b' }),
      sub('s2', 'bob', [ver('2024-01-01T00:00Z', 'active', [item(price('p', 100))])]),
      sub('s4', 'ghost', [ver('2024-01-01T00:00Z', 'active', [item(price('p', 100))])]),
      sub('s5', 'amy', [ver('2024-01-01T00:00Z', 'active', [item(price('p', 100))])], { accountId: 'acct_a' }),
    ];
    const bundles = groupByCustomer([{ id: 'bob', metadata: { vip: 'y' } }, { id: 'ann' }], subs, o({ customerIds: ['ghost'] }));
    expect(bundles.map((b) => [b.key, b.subscriptions.map((s) => s.id)])).toEqual([
      ['acct_a/amy', ['s5']],
      ['acct_b/amy', ['s1']],
      ['ann', []],
      ['bob', ['s2']],
      ['zed', ['s3']],
    ]);
    // the row given for bob is kept; the missing ones are made from the subscription
    expect(bundles[3]?.customer).toEqual({ id: 'bob', metadata: { vip: 'y' } });
    expect(bundles[0]?.customer).toEqual({ id: 'amy', accountId: 'acct_a' });
    expect(bundles[4]?.customer).toEqual({ id: 'zed' });
  });
});

describe('discount edge cases (docs/metrics.md §2.5)', () => {
  const monthly = { interval: 'month' as const, interval_count: 1 };
  const start = T('2024-01-15T00:00Z');
  it('a null end means "not given": the duration decides', () => {
    // repeating 2 months from 15 Jan → 15 Mar
    expect(discountEnd({ start, end: null, coupon: { id: 'r', duration: 'repeating', duration_in_months: 2 } }, monthly)).toBe(T('2024-03-15T00:00Z'));
  });
  it('repeating needs at least one month', () => {
    expect(() => discountEnd({ start, coupon: { id: 'r0', duration: 'repeating', duration_in_months: 0 } }, monthly)).toThrow('repeating coupon r0 needs duration_in_months');
    expect(() => discountEnd({ start, coupon: { id: 'rn', duration: 'repeating', duration_in_months: null } }, monthly)).toThrow(RangeError);
  });
  it('forever is active long after it started, not before', () => {
    const d = { start, coupon: { id: 'f', duration: 'forever' as const } };
    expect([isDiscountActive(d, start - 1, monthly), isDiscountActive(d, T('2030-01-01T00:00Z'), monthly)]).toEqual([false, true]);
  });
  it('a coupon with neither percent nor amount changes nothing; a null percent with an amount is an amount', () => {
    expect(applyDiscounts(rat(1000n), [{ start: 0, coupon: { id: 'n', duration: 'forever', percent_off: null, amount_off: null } }], 'gbp', monthly)).toEqual(rat(1000n));
    expect(applyDiscounts(rat(1000n), [{ start: 0, coupon: { id: 'a', duration: 'forever', percent_off: null, amount_off: 300, currency: 'GBP' } }], 'gbp', monthly)).toEqual(rat(700n));
  });
  it('a fixed amount without a billing interval is taken whole; with one it is spread: £30 off a quarter → 1000 a month', () => {
    const amt = { start: 0, coupon: { id: 'a', duration: 'forever' as const, amount_off: 300, currency: 'gbp' } };
    expect(applyDiscounts(rat(1000n), [amt], 'gbp', null)).toEqual(rat(700n));
    // 3000 × 1/3 = 1000 off 5000 → 4000
    expect(applyDiscounts(rat(5000n), [{ ...amt, coupon: { ...amt.coupon, amount_off: 3000 } }], 'gbp', { interval: 'month', interval_count: 3 })).toEqual(rat(4000n));
  });
  it('a fixed-amount coupon without a currency is refused with a message', () => {
    expect(() => applyDiscounts(rat(1000n), [{ start: 0, coupon: { id: 'nc', duration: 'forever', amount_off: 300 } }], 'gbp', monthly)).toThrow('coupon nc is in ? but the subscription is in gbp');
    expect(() => applyDiscounts(rat(1000n), [{ start: 0, coupon: { id: 'us', duration: 'forever', amount_off: 300, currency: 'usd' } }], 'gbp', monthly)).toThrow('coupon us is in usd but the subscription is in gbp');
  });
  it('own discounts override the customer’s; which durations count is the convention', () => {
    const own = { start, coupon: { id: 'own', duration: 'once' as const, percent_off: 50 } };
    const cust = { start, coupon: { id: 'cust', duration: 'forever' as const, percent_off: 10 } };
    const t = start + 86_400;
    expect(applicableDiscounts([own], [cust], t, monthly, MOWT_DEFAULT.discountDurations).map((d) => d.coupon.id)).toEqual(['own']);
    // Stripe preset: the once coupon is not subtracted, and it still hides the customer's discount (as in Stripe billing)
    expect(applicableDiscounts([own], [cust], t, monthly, STRIPE_PRESET.discountDurations)).toEqual([]);
    // once the subscription's own coupon has ended (1 month), the customer's applies
    expect(applicableDiscounts([own], [cust], T('2024-02-15T00:00Z'), monthly, STRIPE_PRESET.discountDurations).map((d) => d.coupon.id)).toEqual(['cust']);
    expect(applicableDiscounts([], [cust], start - 1, monthly, MOWT_DEFAULT.discountDurations)).toEqual([]);
  });
});

describe('subscription MRR edge cases (docs/metrics.md §2.1–§2.2)', () => {
  const o = MOWT_DEFAULT;
  const t = T('2024-01-10T00:00Z');
  const v = (extra: Parameters<typeof ver>[3], status: Parameters<typeof ver>[1] = 'active') => ver('2024-01-01T00:00Z', status, [item(price('p', 1000))], extra);
  it('null and absent fields mean "not set"', () => {
    for (const extra of [{ trial_end: null }, { pause_collection: null }, { ended_at: null }, { cancel_at: null }, { canceled_at: null }, { cancel_at_period_end: true, current_period_end: null }, { cancel_at_period_end: true }]) {
      expect([extra, isEarning(v(extra), t, o)]).toEqual([extra, true]);
    }
    expect(isEarning(v({ ended_at: t + 1 }), t, o)).toBe(true);
    expect(isEarning(v({ trial_end: t - 1 }), t, o)).toBe(true);
  });
  it('a pause without a resume date, or resuming later, stops MRR', () => {
    expect(isEarning(v({ pause_collection: {} }), t, o)).toBe(false);
    expect(isEarning(v({ pause_collection: { resumes_at: t + 1 } }), t, o)).toBe(false);
    expect(isEarning(v({ pause_collection: { resumes_at: t - 1 } }), t, o)).toBe(true);
  });
  it('stripe preset: nothing scheduled → still earning, even with canceled_at set; cancel_at counts as scheduled', () => {
    expect(isEarning(v({ cancel_at_period_end: false, cancel_at: null, canceled_at: t - 5 }), t, STRIPE_PRESET)).toBe(true);
    expect(isEarning(v({ cancel_at: t + 99, canceled_at: t + 1 }), t, STRIPE_PRESET)).toBe(true);
    expect(isEarning(v({ cancel_at: t + 99, canceled_at: t }), t, STRIPE_PRESET)).toBe(false);
    // the version recording the request began on 1 Jan, before t
    expect(isEarning(v({ cancel_at_period_end: true }), t, STRIPE_PRESET)).toBe(false);
    // mowt ignores canceled_at alone
    expect(isEarning(v({ cancel_at_period_end: true, canceled_at: t - 5, current_period_end: t + 1 }), t, o)).toBe(true);
  });
  it('versions are sorted by time; duplicates name the instant', () => {
    const s = prepareSubscription(sub('s', 'c', [ver('2024-01-05T00:00Z', 'canceled', []), ver('2024-01-01T00:00Z', 'active', []), ver('2024-01-03T00:00Z', 'past_due', [])]));
    expect(s.versions.map((x) => x.status)).toEqual(['active', 'past_due', 'canceled']);
    expect(() => prepareSubscription(sub('dup', 'c', [ver('2024-01-05T00:00Z', 'active', []), ver('2024-01-01T00:00Z', 'active', []), ver('2024-01-05T00:00Z', 'canceled', [])]))).toThrow(`subscription dup has two versions valid from ${T('2024-01-05T00:00Z')}`);
    expect(() => prepareSubscription(sub('none', 'c', []))).toThrow('subscription none has no versions');
  });
  it('the version in force is the last one started, found among many', () => {
    const days = ['01', '03', '05', '07', '09', '11', '13'];
    const s = prepareSubscription(sub('s', 'c', days.map((d, i) => ver(`2024-01-${d}T00:00Z`, 'active', [item(price('p', 1000 * (i + 1)))]))));
    const at = (iso: string) => Number(subscriptionMrrAt(s, T(iso), [], o).n);
    expect(['2023-12-31T23:59Z', '2024-01-01T00:00Z', '2024-01-02T00:00Z', '2024-01-03T00:00Z', '2024-01-06T00:00Z', '2024-01-12T23:59Z', '2024-01-13T00:00Z', '2024-02-01T00:00Z'].map(at)).toEqual([0, 1000, 1000, 2000, 3000, 6000, 7000, 7000]);
  });
  it('a price without recurring (undefined or null) and a metered price never count; quantity defaults to 1', () => {
    // stored JSON may omit `recurring` altogether rather than send null
    const oneOff = { id: 'setup', currency: 'gbp', unit_amount: 5000 } as unknown as PriceInput;
    const metered = price('m', 10, 'month', 1, 'gbp', { recurring: { interval: 'month', interval_count: 1, usage_type: 'metered' } });
    const licensed = price('l', 700, 'month', 1, 'gbp', { recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' } });
    const version = ver('2024-01-01T00:00Z', 'active', [{ price: oneOff }, { price: { ...oneOff, recurring: null } }, item(metered, 3), { price: licensed }]);
    expect(recurringItems(version).map((i) => i.price.id)).toEqual(['l']);
    expect(grossMonthly(version, 'GBP')).toEqual(rat(700n));
    expect(billingIntervalOf(ver('2024-01-01T00:00Z', 'active', [{ price: oneOff }]))).toBeNull();
    // the fixed-amount coupon uses the first recurring item's interval: yearly → 1/12
    expect(billingIntervalOf(ver('2024-01-01T00:00Z', 'active', [{ price: oneOff }, item(price('y', 1200, 'year', 2)), item(price('m', 100))]))).toEqual({ interval: 'year', interval_count: 2 });
  });
  it('a price in another currency than the subscription is refused with a message', () => {
    expect(() => grossMonthly(ver('2024-01-01T00:00Z', 'active', [item(price('pu', 100, 'month', 1, 'usd'))]), 'gbp')).toThrow('price pu is in usd, subscription in gbp');
  });
  it('breakpoints list every instant where MRR may change, including customer discounts and their ends', () => {
    const cust = { start: T('2024-01-20T00:00Z'), coupon: { id: 'c', duration: 'repeating' as const, duration_in_months: 1, percent_off: 10 } };
    const s = prepareSubscription(sub('s', 'c', [
      ver('2024-01-01T00:00Z', 'active', [item(price('p', 1000))], { trial_end: 11, cancel_at: 12, canceled_at: 13, ended_at: 14, current_period_end: 15, pause_collection: { resumes_at: 16 } }),
      ver('2024-01-02T00:00Z', 'active', [item(price('p', 1000))], { discounts: [{ start: 17, end: 18, coupon: { id: 'x', duration: 'forever' } }], pause_collection: { resumes_at: null } }),
    ]));
    expect([...new Set(subscriptionBreakpoints(s, [cust]))].sort((a, b) => a - b)).toEqual(
      [11, 12, 13, 14, 15, 16, 17, 18, T('2024-01-01T00:00Z'), T('2024-01-02T00:00Z'), T('2024-01-20T00:00Z'), T('2024-02-20T00:00Z')].sort((a, b) => a - b),
    );
  });
});
