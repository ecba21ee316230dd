/**
 * Order, range and bookkeeping rules left uncovered by the first full mutation run: sorted outputs whatever the
 * input order, the dense day view, refusing a series of another range, LTV's cap test, excluded customers in an
 * incremental update, and invoices of listed customers. Expectations worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { movementsBehind } from './drilldown.js';
import { movementTotal } from './movements.js';
import { groupByCustomer } from './filters.js';
import { expandDays, pointOn } from './series.js';
import { accumulate, accumulator, aggregate, applyDelta } from './aggregate.js';
import { recomputeCustomer } from './incremental.js';
import { ltv } from './ltv.js';
import { ratio } from './ratio.js';
import { failedPayments } from './payments.js';
import { buildFxTable } from './fx.js';
import { resolveOptions } from './options.js';
import { item, price, run, sub, T, ver } from './test-support.js';

const permutations = <T,>(xs: T[]): T[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest])));

const three = () =>
  run({
    from: '2024-01-01',
    to: '2024-01-05',
    subs: ['c', 'a', 'b'].map((c, i) => sub(`s${c}`, c, [ver('2024-01-02T00:00Z', 'active', [item(price(`p${c}`, 1000 * (i + 1)))])])),
  });

describe('sorted outputs whatever the input order', () => {
  it('drill-down lines of one day are ordered by customer key for every order of the series', () => {
    const series = [...three().customers.values()];
    for (const order of permutations(series)) {
      expect(movementsBehind(order, '2024-01-01', '2024-01-05').map((l) => l.key)).toEqual(['a', 'b', 'c']);
    }
  });
  it('customers are grouped in key order for every order of the subscriptions', () => {
    const subs = ['c', 'a', 'b'].map((c) => sub(`s${c}`, c, [ver('2024-01-02T00:00Z', 'active', [item(price('p', 100))])]));
    for (const order of permutations(subs)) {
      expect(groupByCustomer([], order, resolveOptions({ timezone: 'UTC' })).map((b) => b.key)).toEqual(['a', 'b', 'c']);
    }
  });
});

describe('dense day view and point lookup', () => {
  it('every day of the range, with the last change carried forward and movements only on change days', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-05',
      subs: [sub('s', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p', 1000))]), ver('2024-01-04T00:00Z', 'active', [item(price('p2', 1500))])])],
    });
    const s = r.customers.get('c1');
    if (!s) throw new Error('no series');
    expect(expandDays(s).map((d) => [d.date, d.mrr, d.paying, d.movements.new, d.movements.expansion, d.event])).toEqual([
      ['2024-01-01', 0, false, 0, 0, null],
      ['2024-01-02', 1000, true, 1000, 0, 'new'],
      ['2024-01-03', 1000, true, 0, 0, null],
      ['2024-01-04', 1500, true, 0, 500, null],
      ['2024-01-05', 1500, true, 0, 0, null],
    ]);
    expect([pointOn(s, '2023-12-31').mrr, pointOn(s, '2024-01-01').mrr, pointOn(s, '2024-01-02').mrr, pointOn(s, '2024-01-03').mrr, pointOn(s, '2024-01-04').mrr, pointOn(s, '2024-01-05').mrr]).toEqual([0, 0, 1000, 1000, 1500, 1500]);
    expect(pointOn(s, '2024-01-03').date).toBe('2024-01-02');
  });
});

describe('aggregates refuse series of another range and count customers per day', () => {
  it('a series over other days is refused with a message', () => {
    const a = run({ from: '2024-01-01', to: '2024-01-05', subs: [sub('s', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p', 1000))])])] });
    const s = a.customers.get('c1');
    if (!s) throw new Error('no series');
    expect(() => accumulate(accumulator('GBP', '2024-01-02', '2024-01-05'), s, 1)).toThrow('series c1 covers 2024-01-01..2024-01-05, aggregates 2024-01-02..2024-01-05');
    expect(() => accumulate(accumulator('GBP', '2024-01-01', '2024-01-04'), s, 1)).toThrow(RangeError);
    // a point outside the index (a hand-made series) is refused too
    expect(() => accumulate(accumulator('GBP', '2024-01-01', '2024-01-05'), { ...s, points: [{ ...s.opening, date: '2024-02-01' }] }, 1)).toThrow('point 2024-02-01 outside 2024-01-01..2024-01-05');
  });
  it('two customers churning and two coming back on the same day count 2 each', () => {
    const p = () => [item(price('p', 1000))];
    const r = run({
      from: '2024-01-01',
      to: '2024-01-06',
      subs: ['a', 'b'].map((c) => sub(`s${c}`, c, [ver('2024-01-01T00:00Z', 'active', p()), ver('2024-01-03T00:00Z', 'unpaid', p()), ver('2024-01-05T00:00Z', 'active', p())])),
    });
    const day = (d: string) => r.aggregates.days.find((x) => x.date === d);
    expect([day('2024-01-03')?.churnedCustomers, day('2024-01-05')?.reactivatedCustomers, day('2024-01-01')?.newCustomers]).toEqual([2, 2, 2]);
  });
  it('applying a delta adds its opening figures', () => {
    const r = run({ from: '2024-01-02', to: '2024-01-03', subs: [sub('s', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('p', 1000))])])] });
    const base = aggregate('GBP', '2024-01-02', '2024-01-03', [...r.customers.values()]);
    const doubled = applyDelta(base, { from: '2024-01-02', to: '2024-01-03', opening: { mrr: 1000, payingCustomers: 1 }, days: [] });
    expect(doubled.opening).toEqual({ mrr: 2000, payingCustomers: 2 });
    expect(() => applyDelta(base, { from: '2024-01-02', to: '2024-01-04', opening: { mrr: 0, payingCustomers: 0 }, days: [] })).toThrow('delta and aggregates cover different ranges');
  });
});

describe('incremental update of a customer who is excluded and was not there', () => {
  it('yields no series and an empty delta', () => {
    const o = resolveOptions({ timezone: 'UTC', exclude: { customerIds: ['x'] } });
    const fx = buildFxTable([], 'GBP');
    const res = recomputeCustomer({ customer: { id: 'x' }, subscriptions: [sub('s', 'x', [ver('2024-01-02T00:00Z', 'active', [item(price('p', 1000))])])], previous: null, range: { from: '2024-01-01', to: '2024-01-03' } }, fx, o);
    expect(res).toEqual({ series: null, delta: { from: '2024-01-01', to: '2024-01-03', opening: { mrr: 0, payingCustomers: 0 }, days: [] } });
  });
});

describe('LTV cap test compares the whole fraction', () => {
  it('a lifetime of 60/7 months shares the cap’s numerator but is not the cap: 700 × 60/7 = 6000', () => {
    expect(ltv(700, ratio(7, 60), 60)).toEqual({ value: 6000, lifetimeMonths: 60 / 7, capped: false });
  });
});

describe('failed payments of listed, not excluded customers', () => {
  it('a listed customer who is not excluded still counts; a first attempt on the last day counts; a recovery before the period does not', () => {
    const o = resolveOptions({ timezone: 'UTC', exclude: { customerMetadata: { internal: 'true' } } });
    const fx = buildFxTable([], 'GBP');
    const invoices = [
      { id: 'i1', customerId: 'c1', currency: 'gbp', amount_due: 1000, attempts: [{ at: T('2024-03-31T12:00Z'), succeeded: false }] },
      { id: 'i2', customerId: 'c2', currency: 'gbp', amount_due: 2000, attempts: [{ at: T('2024-02-20T00:00Z'), succeeded: false }, { at: T('2024-02-25T00:00Z'), succeeded: true }] },
    ];
    expect(failedPayments(invoices, [{ id: 'c1', metadata: { internal: 'false' } }, { id: 'c2' }], '2024-03-01', '2024-03-31', fx, o)).toEqual({
      attempted: 1, failed: 1, rate: { numerator: 1, denominator: 1, value: 1 }, recoveredInvoices: 0, recoveredRevenue: 0,
    });
  });
});

describe('movement total', () => {
  it('adds every kind, fx and reactivation included: 1 + 2 − 4 − 8 + 16 + 32 = 39', () => {
    expect(movementTotal({ new: 1, expansion: 2, contraction: -4, churn: -8, reactivation: 16, fx: 32 })).toBe(39);
  });
});
