/**
 * Cross-check: the engine's MRR equals a sum over active subscriptions computed here independently, with
 * plain integer arithmetic and no engine code; plus incremental-update examples.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeOrg } from './engine.js';
import { recomputeCustomer } from './incremental.js';
import { applyDelta } from './aggregate.js';
import { summary } from './kpis.js';
import { item, price, sub, T, ver } from './test-support.js';
import type { SubscriptionInput } from './types.js';

/** Independent: per customer Σ amount × qty × (12 for monthly, 1 for yearly) ÷ 12, rounded half-even by hand. */
function expectedMrr(subs: Array<{ customer: number; amount: number; qty: number; yearly: boolean; canceled: boolean }>): { mrr: number; customers: number } {
  const twelfths = new Map<number, number>();
  for (const s of subs) {
    if (s.canceled) continue;
    twelfths.set(s.customer, (twelfths.get(s.customer) ?? 0) + s.amount * s.qty * (s.yearly ? 1 : 12));
  }
  let mrr = 0;
  let customers = 0;
  for (const n of twelfths.values()) {
    if (n === 0) continue;
    customers++;
    let q = Math.floor(n / 12);
    const r = n - q * 12;
    if (r > 6 || (r === 6 && q % 2 === 1)) q++;
    mrr += q;
  }
  return { mrr, customers };
}

describe('independent cross-check of current MRR', () => {
  it('matches Σ over active subscriptions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ customer: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 500_000 }), qty: fc.integer({ min: 1, max: 20 }), yearly: fc.boolean(), canceled: fc.boolean() }), { maxLength: 15 }),
        (rows) => {
          const subs: SubscriptionInput[] = rows.map((r, i) =>
            sub(`s${i}`, `c${r.customer}`, [
              ver('2024-01-02T00:00Z', 'active', [item(price(`p${i}`, r.amount, r.yearly ? 'year' : 'month'), r.qty)]),
              ...(r.canceled ? [ver('2024-01-20T00:00Z', 'canceled', [item(price(`p${i}`, r.amount, r.yearly ? 'year' : 'month'), r.qty)])] : []),
            ]),
          );
          const res = computeOrg({ customers: [], subscriptions: subs, from: '2024-01-01', to: '2024-01-31' }, { timezone: 'UTC' });
          const s = summary(res.aggregates, '2024-01-31');
          const e = expectedMrr(rows);
          expect([s.mrr, s.customers]).toEqual([e.mrr, e.customers]);
        },
      ),
      { numRuns: process.env.STRYKER_MUTATOR_WORKER !== undefined ? 20 : 200 }, // fewer under Stryker, see properties.test.ts
    );
  });
});

describe('incremental update', () => {
  const range = { from: '2024-01-01', to: '2024-01-31' };
  const base = [
    sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p10', 1000))])]),
    sub('s2', 'c2', [ver('2024-01-03T00:00Z', 'active', [item(price('p20', 2000))])]),
  ];
  // computed inside each test, not while collecting, so mutation testing attributes it to the tests
  const fullOrg = () => computeOrg({ customers: [], subscriptions: base, ...range }, { timezone: 'UTC' });

  it('a webhook upgrading c2 on 15 Jan yields a delta only from that day', () => {
    const full = fullOrg();
    const changed = sub('s2', 'c2', [
      ver('2024-01-03T00:00Z', 'active', [item(price('p20', 2000))]),
      ver('2024-01-15T12:00Z', 'active', [item(price('p35', 3500))]),
    ]);
    const { series, delta } = recomputeCustomer({ customer: { id: 'c2' }, subscriptions: [changed], previous: full.customers.get('c2') ?? null, range }, full.fx, full.options);
    expect(series?.points.map((p) => [p.date, p.mrr])).toEqual([['2024-01-03', 2000], ['2024-01-15', 3500]]);
    expect(delta.opening).toEqual({ mrr: 0, payingCustomers: 0 });
    expect(delta.days[0]).toMatchObject({ date: '2024-01-15', mrr: 1500, expansion: 1500 });
    expect(delta.days).toHaveLength(17); // 15..31 Jan carry +1500 MRR
    const updated = applyDelta(full.aggregates, delta);
    expect(summary(updated, '2024-01-31').mrr).toBe(4500);
    expect(summary(full.aggregates, '2024-01-31').mrr).toBe(3000); // the input is untouched
  });

  it('a customer who becomes excluded is removed; an unknown one with nothing is a no-op', () => {
    const full = fullOrg();
    const opts = { ...full.options, exclude: { ...full.options.exclude, customerIds: ['c1'] } };
    const { series, delta } = recomputeCustomer({ customer: { id: 'c1' }, subscriptions: [base[0] as SubscriptionInput], previous: full.customers.get('c1') ?? null, range }, full.fx, opts);
    expect(series).toBeNull();
    expect(summary(applyDelta(full.aggregates, delta), '2024-01-31')).toMatchObject({ mrr: 2000, customers: 1 });
    const none = recomputeCustomer({ customer: { id: 'zz' }, subscriptions: [], previous: null, range }, full.fx, opts);
    expect(none.delta.days).toEqual([]);
  });

  it('rejects series and deltas over a different range', () => {
    const full = fullOrg();
    const other = computeOrg({ customers: [], subscriptions: base, from: '2024-01-02', to: '2024-01-31' }, { timezone: 'UTC' });
    const { delta } = recomputeCustomer({ customer: { id: 'c1' }, subscriptions: [base[0] as SubscriptionInput], previous: null, range: { from: '2024-01-02', to: '2024-01-31' } }, other.fx, other.options);
    expect(() => applyDelta(full.aggregates, delta)).toThrow(RangeError);
    expect(T('2024-01-01T00:00Z')).toBe(1704067200);
  });
});
