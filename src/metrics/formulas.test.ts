/**
 * Metric formulas at their edges (docs/metrics.md §9–§10): period boundaries, customers outside the range,
 * exclusions, rounding once, drill-down order. Every expected figure is worked by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { customerChurnRate, grossMrrChurnRate, netMrrChurnRate, revenueRetention } from './churn.js';
import { ltv } from './ltv.js';
import { ratio } from './ratio.js';
import { cohorts } from './cohorts.js';
import { failedPayments } from './payments.js';
import { cashSummary } from './cash.js';
import { trialConversion, trialEndOf } from './trials.js';
import { movementsBehind } from './drilldown.js';
import { accumulator, emptyAggregates, orgDayOn, rollup, seriesDelta } from './aggregate.js';
import { buildFxTable } from './fx.js';
import { resolveOptions } from './options.js';
import { item, price, run, sub, T, ver } from './test-support.js';

/**
 * January, UTC, GBP:
 *   c1 £10 from 1 Jan, cancelled 10 Jan 12:00         → churn −1000 on 10 Jan
 *   c2 £20 from 1 Jan, £15 from 5 Jan 10:00           → contraction −500 on 5 Jan
 *   c3 £30 from 1 Jan, £40 from 10 Jan 10:00          → expansion +1000 on 10 Jan
 *   c4 £5 from 1 Jan, unpaid 3 Jan 10:00, paid 5 Jan  → churn −500 on 3 Jan, reactivation +500 on 5 Jan
 *   c5 £7 from 6 Jan                                  → new +700 on 6 Jan
 * End of 2 Jan: 1000 + 2000 + 3000 + 500 = 6500 (4 paying). End of 4 Jan: 1000 + 2000 + 3000 = 6000 (3 paying).
 */
const january = () =>
  run({
    from: '2024-01-01',
    to: '2024-01-31',
    subs: [
      sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('p10', 1000))]), ver('2024-01-10T12:00Z', 'canceled', [item(price('p10', 1000))], { ended_at: T('2024-01-10T12:00Z') })]),
      sub('s2', 'c2', [ver('2024-01-01T00:00Z', 'active', [item(price('p20', 2000))]), ver('2024-01-05T10:00Z', 'active', [item(price('p15', 1500))])]),
      sub('s3', 'c3', [ver('2024-01-01T00:00Z', 'active', [item(price('p30', 3000))]), ver('2024-01-10T10:00Z', 'active', [item(price('p40', 4000))])]),
      sub('s4', 'c4', [
        ver('2024-01-01T00:00Z', 'active', [item(price('p5', 500))]),
        ver('2024-01-03T10:00Z', 'unpaid', [item(price('p5', 500))]),
        ver('2024-01-05T10:00Z', 'active', [item(price('p5', 500))]),
      ]),
      sub('s5', 'c5', [ver('2024-01-06T00:00Z', 'active', [item(price('p7', 700))])]),
    ],
  });

describe('churn and retention count movements on the first and the last day of the period', () => {
  it('customer churn: 3–10 Jan, c4 on the 3rd and c1 on the 10th ÷ 4 paying at the end of 2 Jan', () => {
    expect(customerChurnRate(january().aggregates, '2024-01-03', '2024-01-10')).toEqual({ numerator: 2, denominator: 4, value: 0.5 });
    // 5–10 Jan: only c1 ÷ 3 paying at the end of 4 Jan
    expect(customerChurnRate(january().aggregates, '2024-01-05', '2024-01-10')).toEqual({ numerator: 1, denominator: 3, value: 1 / 3 });
    // 4–9 Jan: nobody stops paying
    expect(customerChurnRate(january().aggregates, '2024-01-04', '2024-01-09').numerator).toBe(0);
  });
  it('gross MRR churn 3–10 Jan = (500 + 1000 churn + 500 contraction) ÷ 6500', () => {
    expect(grossMrrChurnRate(january().aggregates, '2024-01-03', '2024-01-10')).toEqual({ numerator: 2000, denominator: 6500, value: 2000 / 6500 });
  });
  it('net MRR churn 3–10 Jan = (1500 + 500 − 1000 expansion − 500 reactivation) ÷ 6500; new MRR is not part of it', () => {
    expect(netMrrChurnRate(january().aggregates, '2024-01-03', '2024-01-10')).toEqual({ numerator: 500, denominator: 6500, value: 500 / 6500 });
    // 5–6 Jan: contraction 500 − reactivation 500 = 0, c5's new 700 ignored; start (end of 4 Jan) 6000
    expect(netMrrChurnRate(january().aggregates, '2024-01-05', '2024-01-06').denominator).toBe(6000);
    // 10 Jan alone: churn 1000 − expansion 1000 = 0 over the end of 9 Jan: 1000 + 1500 + 3000 + 500 + 700 = 6700
    const tenth = netMrrChurnRate(january().aggregates, '2024-01-10', '2024-01-10');
    expect([tenth.numerator === 0, tenth.denominator, tenth.value === 0]).toEqual([true, 6700, true]); // (−0 is 0)
  });
  it('NRR and GRR 3–10 Jan over c1–c4 (c5 started later): end 0 + 1500 + 4000 + 500; kept 0 + 1500 + 3000 + 500', () => {
    const { nrr, grr } = revenueRetention(january().customers.values(), '2024-01-03', '2024-01-10');
    expect(nrr).toEqual({ numerator: 6000, denominator: 6500, value: 6000 / 6500 });
    expect(grr).toEqual({ numerator: 5000, denominator: 6500, value: 5000 / 6500 });
  });
});

describe('LTV edges', () => {
  it('churned customers but nobody paying at the start (n ÷ 0): the lifetime cap applies', () => {
    expect(ltv(4800, ratio(2, 0), 60)).toEqual({ value: 288000, lifetimeMonths: 60, capped: true });
  });
  it('a fractional lifetime: churn 2 ÷ 3 → 1.5 months, 1001 × 1.5 = 1501.5 → 1502', () => {
    expect(ltv(1001, ratio(2, 3), 60)).toEqual({ value: 1502, lifetimeMonths: 1.5, capped: false });
  });
  it('lifetime exactly at the cap counts as capped: churn 1 ÷ 60', () => {
    expect(ltv(100, ratio(1, 60), 60)).toEqual({ value: 6000, lifetimeMonths: 60, capped: true });
  });
});

describe('cohorts: who belongs to the range', () => {
  it('first paid before the range or after it: left out; first paid on its first or last day: in', () => {
    const r = run({
      from: '2024-02-01',
      to: '2024-03-10',
      subs: [
        sub('sa', 'cA', [ver('2024-01-15T00:00Z', 'active', [item(price('p10', 1000))])]), // paid before the range
        sub('sb', 'cB', [ver('2024-02-03T00:00Z', 'active', [item(price('p20', 2000))]), ver('2024-03-05T00:00Z', 'canceled', [item(price('p20', 2000))], { ended_at: T('2024-03-05T00:00Z') })]),
        sub('sc', 'cC', [ver('2024-03-20T00:00Z', 'active', [item(price('p30', 3000))])]), // first paid after the range
        sub('sd', 'cD', [ver('2024-02-01T10:00Z', 'active', [item(price('p40', 4000))])]), // first day of the range
        sub('se', 'cE', [ver('2024-03-10T10:00Z', 'active', [item(price('p5', 500))])]), // last day of the range
      ],
    });
    const cs = cohorts(r.customers.values());
    // Feb: cB 2000 + cD 4000 = 6000. End of Feb: both. March is read at 10 Mar: cB cancelled on 5 Mar → cD 4000.
    expect(cs.map((c) => [c.month, c.size, c.initialMrr, c.cells.map((x) => [x.offset, x.month, x.customers, x.mrr])])).toEqual([
      ['2024-02', 2, 6000, [[0, '2024-02', 2, 6000], [1, '2024-03', 1, 4000]]],
      ['2024-03', 1, 500, [[0, '2024-03', 1, 500]]],
    ]);
    expect(cs[0]?.cells[1]?.customerRetention).toEqual({ numerator: 1, denominator: 2, value: 0.5 });
    expect(cs[0]?.cells[1]?.mrrRetention).toEqual({ numerator: 4000, denominator: 6000, value: 4000 / 6000 });
  });
  it('no series, no cohorts', () => {
    expect(cohorts([])).toEqual([]);
  });
});

const fx = () => buildFxTable([{ currency: 'USD', date: '2024-01-01', rate: '0.8' }], 'GBP');

describe('failed payments: period days, accounts and exclusions', () => {
  it('counts first attempts on the first and last day; recovery on the day of the successful attempt', () => {
    const o = resolveOptions({ timezone: 'UTC', accounts: ['acct_1'], exclude: { customerIds: ['c9'], customerMetadata: { internal: 'true' } } });
    const inv = (id: string, customerId: string, amount: number, attempts: Array<[string, boolean]>, extra: { accountId?: string; currency?: string } = { accountId: 'acct_1' }) => ({
      id, customerId, currency: extra.currency ?? 'gbp', amount_due: amount, ...(extra.accountId ? { accountId: extra.accountId } : {}),
      attempts: attempts.map(([at, succeeded]) => ({ at: T(at), succeeded })),
    });
    const invoices = [
      inv('i1', 'c1', 1000, [['2024-03-01T00:00Z', false], ['2024-03-31T23:00Z', true]]), // attempted, failed, recovered 1000
      inv('i2', 'c1', 5000, [['2024-03-02T00:00Z', false]], { accountId: 'acct_2' }), // other account
      inv('i3', 'c1', 5000, [['2024-03-02T00:00Z', false]], {}), // no account while accounts are selected
      inv('i4', 'c1', 5000, []), // never attempted
      inv('i5', 'c9', 5000, [['2024-03-02T00:00Z', false]]), // excluded id
      inv('i6', 'c_int', 5000, [['2024-03-02T00:00Z', false]]), // internal customer
      inv('i7', 'c2', 5000, [['2024-04-01T00:00Z', true]]), // first attempt after the period
      inv('i8', 'c3', 2000, [['2024-02-28T00:00Z', false], ['2024-03-01T00:00Z', true]], { accountId: 'acct_1', currency: 'usd' }), // recovered $20 × 0.8 = 1600
      inv('i9', 'c3', 999, [['2024-03-10T00:00Z', false], ['2024-04-01T00:00Z', true]]), // attempted, failed; recovered after the period
      inv('i10', 'c4', 700, [['2024-02-29T23:59:59Z', true]]), // attempted before the period
    ];
    const customers = [{ id: 'c_int', accountId: 'acct_1', metadata: { internal: 'true' } }];
    // attempted i1 i9 = 2, both failed; recovered i1 1000 + i8 1600 = 2600
    expect(failedPayments(invoices, customers, '2024-03-01', '2024-03-31', fx(), o)).toEqual({
      attempted: 2, failed: 2, rate: { numerator: 2, denominator: 2, value: 1 }, recoveredInvoices: 2, recoveredRevenue: 2600,
    });
  });
  it('only a success after the first failure is a recovery, summed exactly and rounded once', () => {
    const o = resolveOptions({ timezone: 'UTC' });
    const a = (iso: string, ok: boolean) => ({ at: T(iso), succeeded: ok });
    const invoices = [
      // paid at once, later attempts irrelevant: not a recovery
      { id: 'j1', customerId: 'c1', currency: 'gbp', amount_due: 100, attempts: [a('2024-03-01T00:00Z', true), a('2024-03-02T00:00Z', false)] },
      // $3.33 and $3.33 recovered at 0.8: 266.4 + 266.4 = 532.8 → 533 (rounding each would give 532)
      { id: 'j2', customerId: 'c2', currency: 'usd', amount_due: 333, attempts: [a('2024-03-01T00:00Z', false), a('2024-03-03T00:00Z', true)] },
      { id: 'j3', customerId: 'c3', currency: 'usd', amount_due: 333, attempts: [a('2024-03-01T00:00Z', false), a('2024-03-02T00:00Z', false), a('2024-03-04T00:00Z', true)] },
    ];
    expect(failedPayments(invoices, [], '2024-03-01', '2024-03-31', fx(), o)).toMatchObject({ attempted: 3, failed: 2, recoveredInvoices: 2, recoveredRevenue: 533 });
  });
});

describe('cash: period days, signs and one rounding', () => {
  it('transactions on the first and last second of the period count; fees on refunds may be negative', () => {
    const o = resolveOptions({ timezone: 'UTC' });
    const txns = [
      { id: 'ch1', type: 'charge' as const, currency: 'gbp', amount: 1000, fee: 50, created: T('2024-03-01T00:00:00Z') },
      { id: 're1', type: 'refund' as const, currency: 'gbp', amount: 300, fee: -10, created: T('2024-03-31T23:59:59Z') },
      { id: 'ch2', type: 'charge' as const, currency: 'gbp', amount: 9000, fee: 90, created: T('2024-02-29T23:59:59Z') },
      { id: 'ch3', type: 'charge' as const, currency: 'gbp', amount: 9000, fee: 90, created: T('2024-04-01T00:00:00Z') },
      // $3.33 + $3.33 at 0.8 = 532.8 → 533 once; fees 1 + 1 at 0.8 = 1.6 → 2
      { id: 'ch4', type: 'charge' as const, currency: 'usd', amount: 333, fee: 1, created: T('2024-03-10T00:00Z') },
      { id: 'ch5', type: 'charge' as const, currency: 'usd', amount: 333, fee: 1, created: T('2024-03-11T00:00Z') },
    ];
    // charges 1000 + 533 = 1533; refunds 300; fees 50 − 10 + 1.6 = 41.6 → 42; net 1533 − 300 − 42 = 1191
    expect(cashSummary(txns, [], '2024-03-01', '2024-03-31', fx(), o)).toEqual({ charges: 1533, refunds: 300, disputes: 0, fees: 42, net: 1191 });
  });
});

describe('trial conversion edges', () => {
  const o = resolveOptions({ timezone: 'UTC' });
  const p = () => [item(price('p', 1000))];
  const subs = () => [
    // trial ends on the first second of the period, pays from 5 Mar
    sub('t1', 'c1', [ver('2024-02-20T00:00Z', 'trialing', p(), { trial_end: T('2024-03-01T00:00Z') }), ver('2024-03-05T00:00Z', 'active', p())]),
    // trial ends on the period's last day and the paid version starts at that instant
    sub('t2', 'c2', [ver('2024-03-20T00:00Z', 'trialing', p(), { trial_end: T('2024-03-31T23:00Z') }), ver('2024-03-31T23:00Z', 'active', p(), { trial_end: T('2024-03-31T23:00Z') })]),
    sub('t3', 'c3', [ver('2024-03-20T00:00Z', 'trialing', p(), { trial_end: T('2024-04-01T00:00Z') })]), // ends after
    sub('t4', 'c4', [ver('2024-02-20T00:00Z', 'trialing', p(), { trial_end: T('2024-02-29T23:59:59Z') })]), // ends before
    // extended trial (listed newest first): the last version's trial end, 5 Apr, is outside March
    sub('t5', 'c5', [ver('2024-03-20T00:00Z', 'trialing', p(), { trial_end: T('2024-04-05T00:00Z') }), ver('2024-03-10T00:00Z', 'trialing', p(), { trial_end: T('2024-03-15T00:00Z') })]),
  ];
  it('trials ending on the first and last day count; converted when paid by the end of the period', () => {
    expect(trialConversion([], subs(), '2024-03-01', '2024-03-31', o)).toEqual({ trials: 2, converted: 2, rate: { numerator: 2, denominator: 2, value: 1 }, convertedIds: ['t1', 't2'], notConvertedIds: [] });
  });
  it('asOf limits how long a trial has to convert; a payment exactly at asOf counts', () => {
    // t2's trial ends on 31 Mar 23:00, after both asOf: it has not ended yet, so it is in neither list
    expect(trialConversion([], subs(), '2024-03-01', '2024-03-31', o, T('2024-03-05T00:00Z'))).toMatchObject({ trials: 1, convertedIds: ['t1'], notConvertedIds: [] });
    expect(trialConversion([], subs(), '2024-03-01', '2024-03-31', o, T('2024-03-04T23:59:59Z'))).toMatchObject({ trials: 1, convertedIds: [], notConvertedIds: ['t1'] });
  });
  it('a trial still running at asOf is not counted as lost (mid-month reading of this month)', () => {
    // Read at 10 Mar 00:00: t6's trial ends on 20 Mar (and t2's on 31 Mar); as of the reading they have not
    // ended, so they are neither converted nor lost. t7's ends exactly at asOf: it has ended, unpaid. The month
    // so far is t1 (paid 5 Mar) and t7: 1 of 2, not 2 of 4 (t2's paid version is in the future) or 1 of 3.
    const running = [
      ...subs(),
      sub('t6', 'c6', [ver('2024-03-06T00:00Z', 'trialing', p(), { trial_end: T('2024-03-20T00:00Z') })]),
      sub('t7', 'c7', [ver('2024-03-03T00:00Z', 'trialing', p(), { trial_end: T('2024-03-10T00:00Z') })]),
    ];
    expect(trialConversion([], running, '2024-03-01', '2024-03-31', o, T('2024-03-10T00:00Z'))).toEqual({
      trials: 2, converted: 1, rate: { numerator: 1, denominator: 2, value: 0.5 }, convertedIds: ['t1'], notConvertedIds: ['t7'],
    });
  });
  it('the trial end is that of the latest version that has one', () => {
    expect(trialEndOf(sub('x', 'c', [ver('2024-03-01T00:00Z', 'trialing', p(), { trial_end: 100 }), ver('2024-03-08T00:00Z', 'active', p(), { trial_end: null })]))).toBe(100);
    expect(trialEndOf(sub('y', 'c', [ver('2024-03-01T00:00Z', 'active', p())]))).toBeNull();
  });
});

describe('drill-down order and filters', () => {
  it('lines in [from, to], by date then customer key, with the account and the MRR after the change', () => {
    const r = run({
      from: '2024-01-01',
      to: '2024-01-10',
      subs: [
        sub('s0', 'c0', [ver('2024-01-02T00:00Z', 'active', [item(price('p10', 1000))])]),
        sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p20', 2000))])], { accountId: 'acct_b' }),
        sub('s2', 'c2', [ver('2024-01-01T00:00Z', 'active', [item(price('p30', 3000))]), ver('2024-01-05T00:00Z', 'active', [item(price('p50', 5000))])]),
        sub('s3', 'c3', [ver('2024-01-06T00:00Z', 'active', [item(price('p5', 500))])]),
      ],
    });
    const lines = movementsBehind(r.customers.values(), '2024-01-02', '2024-01-05');
    expect(lines).toEqual([
      { key: 'acct_b/c1', customerId: 'c1', accountId: 'acct_b', date: '2024-01-02', kind: 'new', amount: 2000, mrr: 2000, native: { GBP: 2000 } },
      { key: 'c0', customerId: 'c0', date: '2024-01-02', kind: 'new', amount: 1000, mrr: 1000, native: { GBP: 1000 } },
      { key: 'c2', customerId: 'c2', date: '2024-01-05', kind: 'expansion', amount: 2000, mrr: 5000, native: { GBP: 5000 } },
    ]);
    expect(movementsBehind(r.customers.values(), '2024-01-01', '2024-01-10', 'new').map((l) => [l.date, l.key])).toEqual([
      ['2024-01-01', 'c2'], ['2024-01-02', 'acct_b/c1'], ['2024-01-02', 'c0'], ['2024-01-06', 'c3'],
    ]);
  });
});

describe('aggregates edges', () => {
  it('empty aggregates have one zero row per day', () => {
    const e = emptyAggregates('GBP', '2024-02-28', '2024-03-01');
    expect(e.days.map((d) => [d.date, d.mrr, d.payingCustomers, d.new, d.fx, d.churnedCustomers])).toEqual([
      ['2024-02-28', 0, 0, 0, 0, 0], ['2024-02-29', 0, 0, 0, 0, 0], ['2024-03-01', 0, 0, 0, 0, 0],
    ]);
    expect(e.opening).toEqual({ mrr: 0, payingCustomers: 0 });
    expect(emptyAggregates('GBP', '2024-03-01', '2024-03-01').days).toHaveLength(1);
  });
  it('refuses an empty range, a delta of nothing, and days outside the aggregates', () => {
    expect(() => accumulator('GBP', '2024-01-02', '2024-01-01')).toThrow('empty range 2024-01-02..2024-01-01');
    expect(accumulator('GBP', '2024-01-01', '2024-01-01').index).toEqual(new Map([['2024-01-01', 0]]));
    expect(() => seriesDelta('GBP', null, null)).toThrow('seriesDelta needs at least one series');
    const agg = january().aggregates;
    expect(() => orgDayOn(agg, '2023-12-30')).toThrow('2023-12-30 is outside 2024-01-01..2024-01-31');
    expect(() => orgDayOn(agg, '2024-02-01')).toThrow(RangeError);
    expect(orgDayOn(agg, '2023-12-31')).toEqual({ mrr: 0, payingCustomers: 0 });
  });
  it('a week roll-up clipped mid-week: rows start at the range and carry the MRR before it', () => {
    const agg = january().aggregates;
    // 3 Jan (Wed) .. 10 Jan (Wed): week of 1 Jan clipped to 3–7 Jan, week of 8 Jan clipped to 8–10 Jan
    const rows = rollup(agg, 'week', { from: '2024-01-03', to: '2024-01-10' });
    expect(rows.map((r) => [r.period, r.from, r.to, r.startMrr, r.mrr, r.churn, r.contraction, r.reactivation, r.new, r.expansion, r.churnedCustomers, r.reactivatedCustomers, r.newCustomers])).toEqual([
      // 3–7 Jan: churn c4 −500; contraction c2 −500; reactivation c4 +500; new c5 +700: 6500 → 6700
      ['2024-01-01', '2024-01-03', '2024-01-07', 6500, 6700, -500, -500, 500, 700, 0, 1, 1, 1],
      // 8–10 Jan: churn c1 −1000, expansion c3 +1000: 6700 → 6700
      ['2024-01-08', '2024-01-08', '2024-01-10', 6700, 6700, -1000, 0, 0, 0, 1000, 1, 0, 0],
    ]);
    const months = rollup(agg, 'month');
    expect(months).toHaveLength(1);
    expect(months[0]).toMatchObject({ period: '2024-01-01', from: '2024-01-01', to: '2024-01-31', startMrr: 0, mrr: 6700, payingCustomers: 4 });
  });
});
