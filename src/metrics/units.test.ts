/**
 * Unit tests of the building blocks: exact arithmetic, rounding, tiers, interval normalisation, discounts,
 * calendar days, FX lookup, presets.
 */
import { describe, expect, it } from 'vitest';
import { add, cmp, div, mul, parseDecimal, rat, roundHalfEven, sub as rsub, toNumber, toString } from './rational.js';
import { billedQuantity, priceAmount } from './tiers.js';
import { monthlyFactor } from './normalise.js';
import { applyDiscounts, discountEnd, isDiscountActive } from './discounts.js';
import { addDays, addMonthsUtc, dayEnd, dayOf, dayStart, monthEnd, weekStart } from './calendar.js';
import { buildFxTable, minorFactor, minorUnitExponent, MissingFxRateError, rateOn } from './fx.js';
import { MOWT_DEFAULT, resolveOptions, STRIPE_PRESET } from './options.js';
import { isEarning, prepareSubscription, subscriptionMrrAt } from './mrr.js';
import { price, sub, T, ver, item } from './test-support.js';
import type { PriceInput } from './types.js';

describe('rational', () => {
  it('normalises sign and common factors', () => {
    expect(rat(6n, -4n)).toEqual({ n: -3n, d: 2n });
    expect(rat(0n, 5n)).toEqual({ n: 0n, d: 1n });
    expect(() => rat(1n, 0n)).toThrow(RangeError);
    expect(toString(add(rat(1n, 3n), rat(1n, 6n)))).toBe('1/2');
    expect(toString(rsub(rat(1n, 3n), rat(1n, 2n)))).toBe('-1/6');
    expect(toString(mul(rat(2n, 3n), rat(9n, 4n)))).toBe('3/2');
    expect(toString(div(rat(2n, 3n), rat(4n, 9n)))).toBe('3/2');
    expect(() => div(rat(1n), rat(0n))).toThrow(RangeError);
    expect(cmp(rat(1n, 3n), rat(1n, 2n))).toBe(-1);
    expect(cmp(rat(2n, 4n), rat(1n, 2n))).toBe(0);
    expect(toNumber(rat(1n, 4n))).toBe(0.25);
  });
  it('rounds half to even, also for negatives', () => {
    const r = (n: number, d: number) => roundHalfEven(rat(BigInt(n), BigInt(d)));
    expect([r(5, 2), r(7, 2), r(1, 2), r(3, 2)]).toEqual([2n, 4n, 0n, 2n]);
    expect([r(-5, 2), r(-7, 2), r(-1, 2)]).toEqual([-2n, -4n, 0n]);
    expect([r(7, 3), r(8, 3), r(-7, 3), r(-8, 3)]).toEqual([2n, 3n, -2n, -3n]);
    expect(r(10, 1)).toBe(10n);
  });
  it('parses decimals exactly', () => {
    expect(parseDecimal('12.5')).toEqual(rat(25n, 2n));
    expect(parseDecimal(0.1)).toEqual(rat(1n, 10n));
    expect(parseDecimal('-0.0052')).toEqual(rat(-52n, 10000n));
    expect(parseDecimal('1e-2')).toEqual(rat(1n, 100n));
    expect(parseDecimal('2E3')).toEqual(rat(2000n));
    expect(parseDecimal('.5')).toEqual(rat(1n, 2n));
    expect(parseDecimal('007')).toEqual(rat(7n));
    expect(() => parseDecimal('abc')).toThrow(RangeError);
    expect(() => parseDecimal('.')).toThrow(RangeError);
    expect(() => parseDecimal(Number.NaN)).toThrow(RangeError);
  });
});

describe('tiers and quantities', () => {
  const tiers: PriceInput = price('t', 0, 'month', 1, 'gbp', {
    billing_scheme: 'tiered', tiers_mode: 'graduated',
    tiers: [{ up_to: 5, unit_amount: 1000 }, { up_to: 10, unit_amount: 800, flat_amount: 50 }, { up_to: 'inf', unit_amount_decimal: '0.5' }],
  });
  it('graduated at and across tier boundaries', () => {
    expect(priceAmount(tiers, 5)).toEqual(rat(5000n)); // 5 × 1000, the second tier is not reached
    expect(priceAmount(tiers, 6)).toEqual(rat(5850n)); // 5000 + 1 × 800 + 50
    expect(priceAmount(tiers, 11)).toEqual(rat(18101n, 2n)); // 5000 + 5 × 800 + 50 + 0.5 = 9050.5
    expect(priceAmount(tiers, 0)).toEqual(rat(0n));
  });
  it('volume picks the tier the whole quantity falls into', () => {
    const v = { ...tiers, tiers_mode: 'volume' as const };
    expect(priceAmount(v, 5)).toEqual(rat(5000n));
    expect(priceAmount(v, 10)).toEqual(rat(8050n)); // 10 × 800 + 50
    expect(priceAmount(v, 100)).toEqual(rat(50n)); // 100 × 0.5
  });
  it('rejects bad inputs', () => {
    expect(() => priceAmount(price('x', 100), -1)).toThrow(RangeError);
    expect(() => priceAmount(price('x', 100), 1.5)).toThrow(RangeError);
    expect(() => priceAmount({ ...tiers, tiers: [] }, 1)).toThrow(RangeError);
    expect(() => billedQuantity(price('x', 1, 'month', 1, 'gbp', { transform_quantity: { divide_by: 0, round: 'up' } }), 3)).toThrow(RangeError);
  });
  it('transform_quantity rounds as told', () => {
    const up = price('x', 1, 'month', 1, 'gbp', { transform_quantity: { divide_by: 4, round: 'up' } });
    expect(billedQuantity(up, 9)).toBe(3);
    expect(billedQuantity({ ...up, transform_quantity: { divide_by: 4, round: 'down' } }, 9)).toBe(2);
    expect(billedQuantity(price('x', 1), 9)).toBe(9);
    expect(priceAmount(price('x', 250, 'month', 1, 'gbp', { unit_amount: null }), 2)).toEqual(rat(0n));
  });
});

describe('interval normalisation', () => {
  it('month, year ÷ 12, week × 52 ÷ 12, day × 365 ÷ 12, divided by interval_count', () => {
    expect(monthlyFactor('month', 1)).toEqual(rat(1n));
    expect(monthlyFactor('month', 6)).toEqual(rat(1n, 6n));
    expect(monthlyFactor('year', 2)).toEqual(rat(1n, 24n));
    expect(monthlyFactor('week', 1)).toEqual(rat(13n, 3n));
    expect(monthlyFactor('day', 1)).toEqual(rat(365n, 12n));
    expect(monthlyFactor('day', 30)).toEqual(rat(73n, 72n));
    expect(() => monthlyFactor('month', 0)).toThrow(RangeError);
  });
});

describe('discounts', () => {
  const monthly = { interval: 'month' as const, interval_count: 1 };
  it('stack in order, never below zero', () => {
    const pct = { start: 0, coupon: { id: 'p', percent_off: 10, duration: 'forever' as const } };
    const amt = { start: 0, coupon: { id: 'a', amount_off: 500, currency: 'gbp', duration: 'forever' as const } };
    expect(applyDiscounts(rat(10000n), [pct, amt], 'GBP', monthly)).toEqual(rat(8500n)); // 9000 − 500
    expect(applyDiscounts(rat(10000n), [amt, pct], 'gbp', monthly)).toEqual(rat(8550n)); // (10000 − 500) × 0.9
    expect(applyDiscounts(rat(300n), [amt], 'gbp', monthly)).toEqual(rat(0n));
    expect(applyDiscounts(rat(300n), [{ start: 0, coupon: { id: 'h', percent_off: '33.3', duration: 'forever' } }], 'gbp', monthly)).toEqual(rat(2001n, 10n));
    expect(() => applyDiscounts(rat(1n), [{ ...amt, coupon: { ...amt.coupon, currency: 'usd' } }], 'gbp', monthly)).toThrow(RangeError);
  });
  it('window: Stripe end wins; once lasts one interval; repeating N months; forever never ends', () => {
    const start = T('2024-01-31T00:00Z');
    expect(discountEnd({ start, end: start + 5, coupon: { id: 'x', duration: 'once' } }, monthly)).toBe(start + 5);
    expect(discountEnd({ start, coupon: { id: 'x', duration: 'once' } }, monthly)).toBe(T('2024-02-29T00:00Z'));
    expect(discountEnd({ start, coupon: { id: 'x', duration: 'once' } }, { interval: 'week', interval_count: 2 })).toBe(start + 14 * 86400);
    expect(discountEnd({ start, coupon: { id: 'x', duration: 'once' } }, { interval: 'year', interval_count: 1 })).toBe(T('2025-01-31T00:00Z'));
    expect(discountEnd({ start, coupon: { id: 'x', duration: 'once' } }, { interval: 'day', interval_count: 3 })).toBe(start + 3 * 86400);
    expect(discountEnd({ start, coupon: { id: 'x', duration: 'once' } }, null)).toBe(start);
    expect(discountEnd({ start, coupon: { id: 'x', duration: 'repeating', duration_in_months: 1 } }, monthly)).toBe(T('2024-02-29T00:00Z'));
    expect(discountEnd({ start, coupon: { id: 'x', duration: 'forever' } }, monthly)).toBeNull();
    expect(() => discountEnd({ start, coupon: { id: 'x', duration: 'repeating' } }, monthly)).toThrow(RangeError);
    const d = { start, coupon: { id: 'x', duration: 'repeating' as const, duration_in_months: 1 } };
    expect([isDiscountActive(d, start - 1, monthly), isDiscountActive(d, start, monthly), isDiscountActive(d, T('2024-02-29T00:00Z'), monthly)]).toEqual([false, true, false]);
  });
});

describe('statuses', () => {
  const o = MOWT_DEFAULT;
  const v = (extra: Parameters<typeof ver>[3], status: Parameters<typeof ver>[1] = 'active') => ver('2024-01-01T00:00Z', status, [item(price('p', 1000))], extra);
  const t = T('2024-01-10T00:00Z');
  it('only active and past_due earn', () => {
    for (const s of ['incomplete', 'incomplete_expired', 'trialing', 'unpaid', 'canceled', 'paused'] as const) expect(isEarning(v({}, s), t, o)).toBe(false);
    expect(isEarning(v({}, 'past_due'), t, o)).toBe(true);
  });
  it('trial_end in the future, pauses, ended_at, cancel_at and period end', () => {
    expect(isEarning(v({ trial_end: t + 1 }), t, o)).toBe(false);
    expect(isEarning(v({ trial_end: t }), t, o)).toBe(true);
    expect(isEarning(v({ pause_collection: { resumes_at: null } }), t, o)).toBe(false);
    expect(isEarning(v({ pause_collection: { resumes_at: t } }), t, o)).toBe(true);
    expect(isEarning(v({ ended_at: t }), t, o)).toBe(false);
    expect(isEarning(v({ cancel_at: t }), t, o)).toBe(false);
    expect(isEarning(v({ cancel_at: t + 1 }), t, o)).toBe(true);
    expect(isEarning(v({ cancel_at_period_end: true, current_period_end: t }), t, o)).toBe(false);
    expect(isEarning(v({ cancel_at_period_end: true, current_period_end: t + 1 }), t, o)).toBe(true);
    expect(isEarning(v({ cancel_at_period_end: false, current_period_end: t }), t, o)).toBe(true);
  });
  it('stripe preset: scheduled cancellation stops MRR from canceled_at, else from the version', () => {
    expect(isEarning(v({ cancel_at_period_end: true, canceled_at: t + 1, current_period_end: t + 99 }), t, STRIPE_PRESET)).toBe(true);
    expect(isEarning(v({ cancel_at_period_end: true, canceled_at: t, current_period_end: t + 99 }), t, STRIPE_PRESET)).toBe(false);
    expect(isEarning(v({ cancel_at: t + 99 }), t, STRIPE_PRESET)).toBe(false);
  });
  it('versions: none before the first, ambiguous duplicates rejected, currency mismatch rejected', () => {
    const s = prepareSubscription(sub('s', 'c', [ver('2024-01-05T00:00Z', 'active', [item(price('p', 1000))])]));
    expect(subscriptionMrrAt(s, T('2024-01-04T00:00Z'), [], o)).toEqual(rat(0n));
    expect(subscriptionMrrAt(s, T('2024-01-05T00:00Z'), [], o)).toEqual(rat(1000n));
    expect(() => prepareSubscription(sub('s', 'c', []))).toThrow(RangeError);
    expect(() => prepareSubscription(sub('s', 'c', [ver('2024-01-05T00:00Z', 'active', []), ver('2024-01-05T00:00Z', 'canceled', [])]))).toThrow(RangeError);
    const usd = prepareSubscription(sub('s', 'c', [ver('2024-01-05T00:00Z', 'active', [item(price('p', 1000, 'month', 1, 'usd'))])]));
    expect(() => subscriptionMrrAt(usd, T('2024-01-06T00:00Z'), [], o)).toThrow(RangeError);
  });
});

describe('calendar', () => {
  it('day boundaries in London across both DST changes', () => {
    expect(dayStart('2024-03-31', 'Europe/London')).toBe(T('2024-03-31T00:00Z'));
    expect(dayStart('2024-04-01', 'Europe/London')).toBe(T('2024-03-31T23:00Z')); // BST
    expect(dayEnd('2024-03-31', 'Europe/London')).toBe(T('2024-03-31T22:59:59Z')); // a 23-hour day
    expect(dayStart('2024-10-28', 'Europe/London')).toBe(T('2024-10-28T00:00Z')); // back to GMT: 25-hour day
    expect(dayOf(T('2024-06-30T23:30Z'), 'Europe/London')).toBe('2024-07-01');
  });
  it('a midnight that does not exist (Santiago, DST starts at 00:00) still has a first second', () => {
    const tz = 'America/Santiago';
    const s = dayStart('2024-09-08', tz);
    expect(dayOf(s, tz)).toBe('2024-09-08');
    expect(dayOf(s - 1, tz)).toBe('2024-09-07');
  });
  it('date arithmetic', () => {
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(weekStart('2024-01-07')).toBe('2024-01-01'); // Sunday → Monday before
    expect(weekStart('2024-01-01')).toBe('2024-01-01');
    expect(monthEnd('2024-02-10')).toBe('2024-02-29');
    expect(addMonthsUtc(T('2024-01-31T10:00Z'), 1)).toBe(T('2024-02-29T10:00Z'));
    expect(addMonthsUtc(T('2024-03-31T10:00Z'), 12)).toBe(T('2025-03-31T10:00Z'));
  });
});

describe('fx', () => {
  const table = buildFxTable([
    { currency: 'usd', date: '2024-01-03', rate: '0.75' },
    { currency: 'USD', date: '2024-01-01', rate: 0.8 },
    { currency: 'JPY', date: '2024-01-01', rate: '0.0052' },
  ], 'gbp');
  it('uses the latest rate on or before the day', () => {
    expect(rateOn(table, 'USD', '2024-01-01')).toEqual(rat(4n, 5n));
    expect(rateOn(table, 'usd', '2024-01-02')).toEqual(rat(4n, 5n));
    expect(rateOn(table, 'USD', '2024-01-03')).toEqual(rat(3n, 4n));
    expect(rateOn(table, 'USD', '2030-01-01')).toEqual(rat(3n, 4n));
    expect(rateOn(table, 'GBP', '1999-01-01')).toEqual(rat(1n));
  });
  it('fails loudly with no earlier rate', () => {
    expect(() => rateOn(table, 'USD', '2023-12-31')).toThrow(MissingFxRateError);
    expect(() => rateOn(table, 'EUR', '2024-01-05')).toThrow(/EUR/);
    expect(() => buildFxTable([{ currency: 'USD', date: '2024-01-01', rate: '0' }], 'GBP')).toThrow(RangeError);
  });
  it('rejects two different rates for one currency and day (the figure would depend on input order)', () => {
    // Found by the input-order property: EUR 0.001 and 0.002 on one day gave 3 or 6 depending on which came last.
    const a = { currency: 'EUR', date: '2024-01-01', rate: '0.001' };
    const b = { currency: 'eur', date: '2024-01-01', rate: '0.002' };
    expect(() => buildFxTable([a, b], 'GBP')).toThrow(/two different FX rates for EUR on 2024-01-01/);
    expect(() => buildFxTable([b, a], 'GBP')).toThrow(RangeError);
    // the same rate twice, however written, is fine: 0.8 = "0.80" = 4/5
    const same = buildFxTable([{ currency: 'USD', date: '2024-01-01', rate: 0.8 }, { currency: 'USD', date: '2024-01-01', rate: '0.80' }], 'GBP');
    expect(same.series.get('USD')).toEqual({ dates: ['2024-01-01'], rates: [rat(4n, 5n)] });
  });
  it('converts between minor units of different exponents', () => {
    expect(minorUnitExponent('jpy')).toBe(0);
    expect(minorUnitExponent('KWD')).toBe(3);
    expect(minorUnitExponent('EUR')).toBe(2);
    expect(minorFactor(table, 'JPY', '2024-01-02')).toEqual(rat(52n, 100n)); // 0.0052 × 100
    const jpyReport = buildFxTable([{ currency: 'GBP', date: '2024-01-01', rate: '190' }], 'JPY');
    expect(minorFactor(jpyReport, 'GBP', '2024-01-02')).toEqual(rat(19n, 10n)); // 190 ÷ 100
  });
});

describe('options and presets', () => {
  it('Mowt default and stripe preset differ exactly in discounts and cancellation timing', () => {
    expect(MOWT_DEFAULT.discountDurations).toEqual({ once: true, repeating: true, forever: true });
    expect(MOWT_DEFAULT.cancellation).toBe('period-end');
    expect(STRIPE_PRESET.discountDurations).toEqual({ once: false, repeating: false, forever: true });
    expect(STRIPE_PRESET.cancellation).toBe('cancel-request');
    const { discountDurations: _a, cancellation: _b, ...restM } = MOWT_DEFAULT;
    const { discountDurations: _c, cancellation: _d, ...restS } = STRIPE_PRESET;
    expect(restS).toEqual(restM);
  });
  it('resolves overrides field by field', () => {
    const o = resolveOptions({ preset: 'stripe', reportingCurrency: 'usd', discountDurations: { repeating: true }, exclude: { customerIds: ['c'] } });
    expect(o.reportingCurrency).toBe('USD');
    expect(o.discountDurations).toEqual({ once: false, repeating: true, forever: true });
    expect(o.exclude).toEqual({ testMode: true, customerIds: ['c'] });
    expect(o.cancellation).toBe('cancel-request');
    expect(resolveOptions()).toEqual(MOWT_DEFAULT);
    expect(resolveOptions({ timezone: undefined }).timezone).toBe('Europe/London');
  });
  it('rejects a bad timezone or currency', () => {
    expect(() => resolveOptions({ timezone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => resolveOptions({ reportingCurrency: 'pounds' })).toThrow(RangeError);
  });
});
