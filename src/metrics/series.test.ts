/**
 * One customer's daily series (docs/metrics.md §3–§5): the last second of a day, what "paying" means, how the
 * currencies kept for drill-down follow the subscriptions, and FX days. Expectations worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { toSafeNumber } from './series.js';
import { movementsBehind } from './drilldown.js';
import { discount, item, mrrOn, movementList, price, run, sub, T, ver } from './test-support.js';

describe('the MRR of a day is the MRR at its last second', () => {
  it('a subscription starting at 23:59:59 counts that day, in the opening state and inside the range', () => {
    const r = run({
      from: '2024-01-02',
      to: '2024-01-05',
      subs: [
        sub('s1', 'c1', [ver('2024-01-01T23:59:59Z', 'active', [item(price('p10', 1000))])]),
        sub('s2', 'c2', [ver('2024-01-03T23:59:59Z', 'active', [item(price('p20', 2000))])]),
        sub('s3', 'c3', [ver('2024-01-04T00:00:00Z', 'active', [item(price('p30', 3000))])]),
      ],
    });
    expect(r.aggregates.opening).toEqual({ mrr: 1000, payingCustomers: 1 });
    expect(movementList(r)).toEqual([['2024-01-03', 'new', 2000], ['2024-01-04', 'new', 3000]]);
    expect(r.customers.get('c1')?.firstPaidDate).toBe('2024-01-01');
    expect(r.customers.get('c2')?.firstPaidDate).toBe('2024-01-03');
  });
  it('cancelled at 23:59:59 on the day it started: never a paying day', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-10',
      subs: [sub('s1', 'c1', [
        ver('2024-01-05T10:00Z', 'active', [item(price('p10', 1000))]),
        ver('2024-01-05T23:59:59Z', 'canceled', [item(price('p10', 1000))], { ended_at: T('2024-01-05T23:59:59Z') }),
        // comes back on 8 Jan: that is new, not a reactivation
        ver('2024-01-08T10:00Z', 'active', [item(price('p10', 1000))]),
      ])],
    });
    expect(movementList(r)).toEqual([['2024-01-08', 'new', 1000]]);
    expect(r.customers.get('c1')?.firstPaidDate).toBe('2024-01-08');
  });
  it('a customer who never ends a day paying has no first paid day', () => {
    const r = run({ from: '2024-01-01', to: '2024-01-03', subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'trialing', [item(price('p10', 1000))], { trial_end: T('2024-02-01T00:00Z') })])] });
    expect(r.customers.get('c1')?.firstPaidDate).toBeNull();
    expect(r.customers.get('c1')?.points).toEqual([]);
  });
});

describe('new versus reactivation looks before the range', () => {
  it('paying on the day before the range, churned in it, back later: a reactivation', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-10',
      subs: [sub('s1', 'c1', [
        ver('2023-12-31T10:00Z', 'active', [item(price('p10', 1000))]),
        ver('2024-01-02T10:00Z', 'unpaid', [item(price('p10', 1000))]),
        ver('2024-01-05T10:00Z', 'active', [item(price('p10', 1000))]),
      ])],
    });
    expect(r.aggregates.opening.mrr).toBe(1000);
    expect(movementList(r)).toEqual([['2024-01-02', 'churn', -1000], ['2024-01-05', 'reactivation', 1000]]);
    expect(r.aggregates.days.find((d) => d.date === '2024-01-05')).toMatchObject({ reactivatedCustomers: 1, newCustomers: 0 });
  });
});

describe('points are only the days on which something changed', () => {
  it('a version identical to the previous one adds no point; a coupon that changes nothing neither', () => {
    const p = () => [item(price('p10', 1000))];
    const r = run({
      from: '2024-01-01',
      to: '2024-01-10',
      subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', p()), ver('2024-01-04T00:00Z', 'active', p()), ver('2024-01-06T00:00Z', 'past_due', p())])],
    });
    expect(r.customers.get('c1')?.points.map((x) => x.date)).toEqual(['2024-01-02']);
  });
  it('the series record of a customer without an account has no accountId field', () => {
    const r = run({ from: '2024-01-01', to: '2024-01-02', subs: [sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('p10', 1000))])])] });
    const s = r.customers.get('c1');
    expect(s && 'accountId' in s).toBe(false);
    expect(s).toMatchObject({ key: 'c1', customerId: 'c1', from: '2024-01-01', to: '2024-01-02' });
    const a = run({ from: '2024-01-01', to: '2024-01-02', subs: [sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('p10', 1000))])], { accountId: 'acct_1' })] });
    expect(a.customers.get('acct_1/c1')).toMatchObject({ key: 'acct_1/c1', customerId: 'c1', accountId: 'acct_1' });
  });
});

describe('currencies kept for drill-down follow the subscriptions', () => {
  const fx = [
    { currency: 'USD', date: '2024-01-01', rate: '0.8' },
    { currency: 'EUR', date: '2024-01-01', rate: '0.86' },
  ];
  it('listed alphabetically; a currency disappears when its subscription ends; a change in one currency shows', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-10',
      fx,
      subs: [
        sub('su', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pu', 1000, 'month', 1, 'usd'))]), ver('2024-01-06T00:00Z', 'active', [item(price('pu2', 1500, 'month', 1, 'usd'))])], { currency: 'usd' }),
        sub('sg', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pg', 1000))])]),
        sub('se', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pe', 1000, 'month', 1, 'eur'))]), ver('2024-01-04T00:00Z', 'canceled', [item(price('pe', 1000, 'month', 1, 'eur'))], { ended_at: T('2024-01-04T00:00Z') })], { currency: 'eur' }),
      ],
    });
    const pts = r.customers.get('c1')?.points ?? [];
    // 2 Jan: 1000 × 0.8 + 1000 + 1000 × 0.86 = 800 + 1000 + 860 = 2660
    expect(pts[0]).toMatchObject({ date: '2024-01-02', mrr: 2660, native: { EUR: 1000, GBP: 1000, USD: 1000 } });
    expect(Object.keys(pts[0]?.native ?? {})).toEqual(['EUR', 'GBP', 'USD']);
    // 4 Jan: EUR ends → 1800; contraction −860
    expect(pts[1]).toMatchObject({ date: '2024-01-04', mrr: 1800, movements: { contraction: -860 } });
    expect(pts[1]?.native).toEqual({ GBP: 1000, USD: 1000 });
    // 6 Jan: USD 1500 × 0.8 = 1200 → 2200; expansion +400
    expect(pts[2]).toMatchObject({ date: '2024-01-06', mrr: 2200, movements: { expansion: 400 } });
    expect(pts[2]?.native).toEqual({ GBP: 1000, USD: 1500 });
    expect(pts).toHaveLength(3);
  });
  it('the drill-down shows the same native amounts, whatever order the series come in', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-03',
      fx,
      subs: [
        sub('s1', 'b', [ver('2024-01-02T00:00Z', 'active', [item(price('pu', 1000, 'month', 1, 'usd'))])], { currency: 'usd' }),
        sub('s2', 'a', [ver('2024-01-02T00:00Z', 'active', [item(price('pg', 500))])]),
      ],
    });
    const lines = movementsBehind([...r.customers.values()].reverse(), '2024-01-01', '2024-01-03');
    expect(lines.map((l) => [l.key, l.amount, l.native])).toEqual([['a', 500, { GBP: 500 }], ['b', 800, { USD: 1000 }]]);
  });
});

describe('FX days (docs/metrics.md §4–§5)', () => {
  it('a rate change with the same denominator still moves: USD 0.8 → 0.6 on 3 Jan, $10 → fx −200', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-04',
      fx: [{ currency: 'USD', date: '2024-01-01', rate: '0.8' }, { currency: 'USD', date: '2024-01-03', rate: '0.6' }, { currency: 'EUR', date: '2024-01-01', rate: '0.5' }, { currency: 'EUR', date: '2024-01-04', rate: '0.25' }],
      subs: [
        sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('pu', 1000, 'month', 1, 'usd'))])], { currency: 'usd' }),
        // and one with the same numerator: EUR 0.5 (1/2) → 0.25 (1/4) on 4 Jan, €10 → 500 → 250, fx −250
        sub('s2', 'c2', [ver('2024-01-01T00:00Z', 'active', [item(price('pe', 1000, 'month', 1, 'eur'))])], { currency: 'eur' }),
      ],
    });
    expect(movementList(r)).toEqual([['2024-01-01', 'new', 1300], ['2024-01-03', 'fx', -200], ['2024-01-04', 'fx', -250]]);
    expect([mrrOn(r, '2024-01-02'), mrrOn(r, '2024-01-03'), mrrOn(r, '2024-01-04')]).toEqual([1300, 1100, 850]);
  });
  it('an upgrade on a rate-change day: the fx part at yesterday’s amounts, the rest at today’s rate', () => {
    // $100 at 0.8 = 8000; on 3 Jan rate 0.75 and $120: fx 10000 × 0.75 − 8000 = −500; expansion 9000 − 7500 = +1500
    const r = run({
      from: '2024-01-01',
      to: '2024-01-03',
      fx: [{ currency: 'USD', date: '2024-01-01', rate: '0.8' }, { currency: 'USD', date: '2024-01-03', rate: '0.75' }],
      subs: [sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('pu', 10000, 'month', 1, 'usd'))]), ver('2024-01-03T10:00Z', 'active', [item(price('pu2', 12000, 'month', 1, 'usd'))])], { currency: 'usd' })],
    });
    expect(movementList(r)).toEqual([['2024-01-01', 'new', 8000], ['2024-01-03', 'expansion', 1500], ['2024-01-03', 'fx', -500]]);
  });
  it('churn on a rate-change day: fx first, then churn of the revalued amount', () => {
    // $100 at 0.8 = 8000; 3 Jan rate 0.75 and cancelled: fx −500, churn −7500
    const r = run({
      from: '2024-01-01',
      to: '2024-01-03',
      fx: [{ currency: 'USD', date: '2024-01-01', rate: '0.8' }, { currency: 'USD', date: '2024-01-03', rate: '0.75' }],
      subs: [sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('pu', 10000, 'month', 1, 'usd'))]), ver('2024-01-03T10:00Z', 'canceled', [item(price('pu', 10000, 'month', 1, 'usd'))], { ended_at: T('2024-01-03T10:00Z') })], { currency: 'usd' })],
    });
    expect(movementList(r)).toEqual([['2024-01-01', 'new', 8000], ['2024-01-03', 'churn', -7500], ['2024-01-03', 'fx', -500]]);
  });
  it('the same customers over two ranges in one process use each range’s own days', () => {
    const subs = [sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('pu', 1000, 'month', 1, 'usd'))])], { currency: 'usd' })];
    const fx2 = [{ currency: 'USD', date: '2024-01-01', rate: '0.8' }, { currency: 'USD', date: '2024-01-05', rate: '0.5' }];
    const a = run({ from: '2024-01-01', to: '2024-01-03', fx: fx2, subs });
    const b = run({ from: '2024-01-04', to: '2024-01-06', fx: fx2, subs });
    expect([mrrOn(a, '2024-01-03'), b.aggregates.opening.mrr, mrrOn(b, '2024-01-05')]).toEqual([800, 800, 500]);
    expect(movementList(b)).toEqual([['2024-01-05', 'fx', -300]]);
  });
  it('a day nobody pays in a currency needs no rate for it', () => {
    // EUR subscription only from 10 Jan; the EUR rate starts on 10 Jan
    const r = run({
      from: '2024-01-01',
      to: '2024-01-11',
      fx: [{ currency: 'EUR', date: '2024-01-10', rate: '0.9' }],
      subs: [sub('s1', 'c1', [ver('2024-01-10T00:00Z', 'active', [item(price('pe', 1000, 'month', 1, 'eur'))])], { currency: 'eur' })],
    });
    expect(movementList(r)).toEqual([['2024-01-10', 'new', 900]]);
  });
});

describe('customer discounts and rounding in a series', () => {
  it('a customer discount ending mid-range is a breakpoint: 10 % off £10 until 15 Jan, then 1000', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-20',
      customers: [{ id: 'c1', discounts: [discount('2024-01-01T00:00Z', { id: 'ten', percent_off: 10, duration: 'forever' }, '2024-01-15T00:00Z')] }],
      subs: [sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('p10', 1000))])])],
    });
    expect(movementList(r)).toEqual([['2024-01-01', 'new', 900], ['2024-01-15', 'expansion', 100]]);
  });
  it('amounts beyond the safe integer range are refused rather than rounded silently', () => {
    expect(toSafeNumber(9_007_199_254_740_991n)).toBe(9_007_199_254_740_991);
    expect(toSafeNumber(-5n)).toBe(-5);
    expect(() => toSafeNumber(9_007_199_254_740_993n)).toThrow('amount 9007199254740993 exceeds the safe integer range');
  });
});
