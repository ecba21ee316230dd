/**
 * Tests of each metric formula on one small business whose figures are worked by hand below (UTC, GBP).
 *
 *   A £100/month from 5 Jan, stays                      Jan 31: 10000   Feb 29: 10000
 *   B £50 from 6 Jan, £80 from 10 Feb (+3000 expansion)  Jan 31:  5000   Feb 29:  8000
 *   C £40 from 7 Jan, £30 from 12 Feb (−1000 contraction)Jan 31:  4000   Feb 29:  3000
 *   D £60 from 8 Jan, cancelled 15 Feb (−6000 churn)     Jan 31:  6000   Feb 29:     0
 *   E £20 from 20 Feb (+2000 new)                        Jan 31:     0   Feb 29:  2000
 *   F £10 from 9 Jan, unpaid 20 Jan, paid 5 Feb (+1000)  Jan 31:     0   Feb 29:  1000
 *   MRR                                                  Jan 31: 25000   Feb 29: 24000 (Δ −1000)
 *   Feb movements: 2000 + 3000 − 1000 − 6000 + 1000 = −1000 ✓
 */
import { describe, expect, it } from 'vitest';
import { customerChurnRate, grossMrrChurnRate, netMrrChurnRate, revenueRetention } from './churn.js';
import { arpa, summary } from './kpis.js';
import { ltv } from './ltv.js';
import { rollup } from './aggregate.js';
import { cohorts } from './cohorts.js';
import { trialConversion } from './trials.js';
import { failedPayments } from './payments.js';
import { cashSummary, refunds } from './cash.js';
import { buildFxTable } from './fx.js';
import { resolveOptions } from './options.js';
import { ratio } from './ratio.js';
import { movementsBehind } from './drilldown.js';
import { item, price, run, sub, T, ver } from './test-support.js';

// Built inside each test (cheap), not at import time, so that mutation testing can attribute the engine code
// it runs to the tests that check it (code run at import is a "static" mutant that needs every test).
const business = () => run({
  from: '2024-01-01',
  to: '2024-03-31',
  subs: [
    sub('sa', 'A', [ver('2024-01-05T10:00Z', 'active', [item(price('p100', 10000))])]),
    sub('sb', 'B', [ver('2024-01-06T10:00Z', 'active', [item(price('p50', 5000))]), ver('2024-02-10T10:00Z', 'active', [item(price('p80', 8000))])]),
    sub('sc', 'C', [ver('2024-01-07T10:00Z', 'active', [item(price('p40', 4000))]), ver('2024-02-12T10:00Z', 'active', [item(price('p30', 3000))])]),
    sub('sd', 'D', [ver('2024-01-08T10:00Z', 'active', [item(price('p60', 6000))]), ver('2024-02-15T10:00Z', 'canceled', [item(price('p60', 6000))], { ended_at: T('2024-02-15T10:00Z') })]),
    sub('se', 'E', [ver('2024-02-20T10:00Z', 'active', [item(price('p20', 2000))])]),
    sub('sf', 'F', [
      ver('2024-01-09T10:00Z', 'active', [item(price('p10', 1000))]),
      ver('2024-01-20T10:00Z', 'unpaid', [item(price('p10', 1000))]),
      ver('2024-02-05T10:00Z', 'active', [item(price('p10', 1000))]),
    ]),
  ],
});
const agg = () => business().aggregates;

describe('headline figures', () => {
  it('MRR, ARR, customers and ARPA on a day', () => {
    // 24000 × 12 = 288000; 24000 ÷ 5 = 4800
    expect(summary(agg(), '2024-02-29')).toEqual({ date: '2024-02-29', currency: 'GBP', mrr: 24000, arr: 288000, customers: 5, arpa: 4800 });
    expect(summary(agg(), '2024-01-31')).toMatchObject({ mrr: 25000, customers: 4, arpa: 6250 });
    expect(summary(agg(), '2023-12-31')).toMatchObject({ mrr: 0, customers: 0, arpa: 0 });
    expect(() => summary(agg(), '2024-04-02')).toThrow(RangeError);
  });
  it('ARPA rounds half-even', () => {
    expect(arpa(1001, 2)).toBe(500); // 500.5 → 500
    expect(arpa(1003, 2)).toBe(502); // 501.5 → 502
    expect(arpa(1000, 3)).toBe(333);
    expect(arpa(500, 0)).toBe(0);
  });
});

describe('churn and retention (February)', () => {
  it('customer churn rate = churned ÷ paying at start = 1 ÷ 4', () => {
    expect(customerChurnRate(agg(), '2024-02-01', '2024-02-29')).toEqual({ numerator: 1, denominator: 4, value: 0.25 });
  });
  it('gross MRR churn = (6000 + 1000) ÷ 25000', () => {
    expect(grossMrrChurnRate(agg(), '2024-02-01', '2024-02-29')).toEqual({ numerator: 7000, denominator: 25000, value: 0.28 });
  });
  it('net MRR churn = (6000 + 1000 − 3000 − 1000) ÷ 25000', () => {
    expect(netMrrChurnRate(agg(), '2024-02-01', '2024-02-29')).toEqual({ numerator: 3000, denominator: 25000, value: 0.12 });
  });
  it('NRR = 21000 ÷ 25000 and GRR = 18000 ÷ 25000 over the customers paying on 31 Jan (A, B, C, D)', () => {
    // end: A 10000 + B 8000 + C 3000 + D 0 = 21000; min(start, end): 10000 + 5000 + 3000 + 0 = 18000
    const { nrr, grr } = revenueRetention(business().customers.values(), '2024-02-01', '2024-02-29');
    expect(nrr).toEqual({ numerator: 21000, denominator: 25000, value: 0.84 });
    expect(grr).toEqual({ numerator: 18000, denominator: 25000, value: 0.72 });
  });
  it('rates are null when nobody was paying at the start', () => {
    expect(customerChurnRate(agg(), '2024-01-01', '2024-01-31').value).toBeNull();
    expect(revenueRetention(business().customers.values(), '2024-01-01', '2024-01-31').nrr.value).toBeNull();
  });
});

describe('LTV = ARPA ÷ monthly customer churn, lifetime capped', () => {
  it('4800 ÷ (1/4) = 19200', () => {
    expect(ltv(4800, ratio(1, 4), 60)).toEqual({ value: 19200, lifetimeMonths: 4, capped: false });
  });
  it('no churn → ARPA × cap', () => {
    expect(ltv(4800, ratio(0, 5), 60)).toEqual({ value: 288000, lifetimeMonths: 60, capped: true });
    expect(ltv(4800, ratio(0, 0), 24)).toEqual({ value: 115200, lifetimeMonths: 24, capped: true });
  });
  it('tiny churn is capped too', () => {
    expect(ltv(100, ratio(1, 100), 60)).toEqual({ value: 6000, lifetimeMonths: 60, capped: true });
  });
  it('exact and rounded half-even: 1001 × 3 ÷ 2 = 1501.5 → 1502', () => {
    expect(ltv(1001, ratio(2, 3), 60).value).toBe(1502);
  });
});

describe('roll-ups', () => {
  it('months: balances at the end, flows summed', () => {
    const [jan, feb, mar] = rollup(agg(), 'month');
    // Jan: new A 10000 + B 5000 + C 4000 + D 6000 + F 1000 = 26000; churn F −1000; end 25000
    expect(jan).toMatchObject({ period: '2024-01-01', startMrr: 0, mrr: 25000, new: 26000, churn: -1000, newCustomers: 5, churnedCustomers: 1, payingCustomers: 4 });
    expect(feb).toMatchObject({ period: '2024-02-01', from: '2024-02-01', to: '2024-02-29', startMrr: 25000, mrr: 24000, new: 2000, expansion: 3000, contraction: -1000, churn: -6000, reactivation: 1000, fx: 0, newCustomers: 1, churnedCustomers: 1, reactivatedCustomers: 1, payingCustomers: 5 });
    expect(mar).toMatchObject({ startMrr: 24000, mrr: 24000, new: 0 });
  });
  it('ISO weeks start on Monday; days are the days', () => {
    const weeks = rollup(agg(), 'week');
    expect(weeks.slice(0, 2).map((w) => w.period)).toEqual(['2024-01-01', '2024-01-08']);
    expect(rollup(agg(), 'day')).toHaveLength(91);
  });
});

describe('cohorts by first paid month', () => {
  it('customer and MRR retention', () => {
    const [jan, feb] = cohorts(business().customers.values());
    // Jan cohort A B C D F: initial 10000 + 5000 + 4000 + 6000 + 1000 = 26000
    expect(jan).toMatchObject({ month: '2024-01', size: 5, initialMrr: 26000 });
    expect(jan?.cells.map((c) => [c.month, c.customers, c.mrr])).toEqual([
      ['2024-01', 4, 25000], // F unpaid at 31 Jan
      ['2024-02', 4, 22000], // A 10000, B 8000, C 3000, F 1000; D gone
      ['2024-03', 4, 22000],
    ]);
    expect(jan?.cells[1]?.customerRetention).toEqual({ numerator: 4, denominator: 5, value: 0.8 });
    expect(jan?.cells[1]?.mrrRetention).toEqual({ numerator: 22000, denominator: 26000, value: 22000 / 26000 });
    expect(feb).toMatchObject({ month: '2024-02', size: 1, initialMrr: 2000 });
    expect(feb?.cells.map((c) => [c.month, c.customers, c.mrr])).toEqual([['2024-02', 1, 2000], ['2024-03', 1, 2000]]);
  });
});

const opts = () => resolveOptions({ timezone: 'UTC' });

describe('trial conversion', () => {
  it('counts trials ending in the period and those that became paid', () => {
    const subs = [
      sub('t1', 'c1', [
        ver('2024-02-25T00:00Z', 'trialing', [item(price('p', 1000))], { trial_end: T('2024-03-10T00:00Z') }),
        ver('2024-03-10T00:00:03Z', 'active', [item(price('p', 1000))], { trial_end: T('2024-03-10T00:00Z') }),
      ]),
      sub('t2', 'c2', [
        ver('2024-02-27T00:00Z', 'trialing', [item(price('p', 1000))], { trial_end: T('2024-03-12T00:00Z') }),
        ver('2024-03-12T00:00Z', 'canceled', [item(price('p', 1000))], { ended_at: T('2024-03-12T00:00Z') }),
      ]),
      sub('t3', 'c3', [ver('2024-03-20T00:00Z', 'trialing', [item(price('p', 1000))], { trial_end: T('2024-04-02T00:00Z') })]),
      sub('nt', 'c4', [ver('2024-03-20T00:00Z', 'active', [item(price('p', 1000))])]),
    ];
    const r = trialConversion([], subs, '2024-03-01', '2024-03-31', opts());
    expect(r).toEqual({ trials: 2, converted: 1, rate: { numerator: 1, denominator: 2, value: 0.5 }, convertedIds: ['t1'], notConvertedIds: ['t2'] });
  });
});

const fx = () => buildFxTable([{ currency: 'USD', date: '2024-01-01', rate: '0.8' }], 'GBP');

describe('failed payments and recovered revenue (March)', () => {
  it('rate = failed first attempts ÷ first attempts; recovered = invoices paid after a failure', () => {
    const invoices = [
      { id: 'i1', customerId: 'c1', currency: 'gbp', amount_due: 5000, attempts: [{ at: T('2024-03-04T00:00Z'), succeeded: true }, { at: T('2024-03-01T00:00Z'), succeeded: false }] },
      { id: 'i2', customerId: 'c2', currency: 'gbp', amount_due: 3000, attempts: [{ at: T('2024-03-02T00:00Z'), succeeded: true }] },
      { id: 'i3', customerId: 'c3', currency: 'gbp', amount_due: 2000, attempts: [{ at: T('2024-03-03T00:00Z'), succeeded: false }, { at: T('2024-03-06T00:00Z'), succeeded: false }] },
      { id: 'i4', customerId: 'c4', currency: 'usd', amount_due: 1000, attempts: [{ at: T('2024-02-25T00:00Z'), succeeded: false }, { at: T('2024-03-02T00:00Z'), succeeded: true }] },
      { id: 'i5', customerId: 'c5', currency: 'gbp', amount_due: 9999, livemode: false, attempts: [{ at: T('2024-03-02T00:00Z'), succeeded: false }] },
    ];
    // attempted i1 i2 i3 (i4 first tried in Feb, i5 test mode) = 3; failed i1 i3 = 2;
    // recovered i1 5000 + i4 1000 × 0.8 = 800 → 5800
    expect(failedPayments(invoices, [], '2024-03-01', '2024-03-31', fx(), opts())).toEqual({
      attempted: 3, failed: 2, rate: { numerator: 2, denominator: 3, value: 2 / 3 }, recoveredInvoices: 2, recoveredRevenue: 5800,
    });
  });
});

describe('cash', () => {
  it('net cash = charges − refunds − fees, each converted at its day’s rate', () => {
    const txns = [
      { id: 'ch1', type: 'charge' as const, currency: 'gbp', amount: 10000, fee: 170, created: T('2024-03-01T10:00Z') },
      { id: 'ch2', type: 'charge' as const, currency: 'usd', amount: 5000, fee: 175, created: T('2024-03-02T10:00Z') },
      { id: 're1', type: 'refund' as const, currency: 'gbp', amount: -2000, fee: 0, created: T('2024-03-05T10:00Z') },
      { id: 'ch3', type: 'charge' as const, currency: 'gbp', amount: 7000, fee: 100, created: T('2024-04-01T10:00Z') },
      { id: 'ch4', type: 'charge' as const, currency: 'gbp', amount: 7000, fee: 100, created: T('2024-03-03T10:00Z'), livemode: false },
      { id: 'ch5', type: 'charge' as const, currency: 'gbp', amount: 7000, fee: 100, created: T('2024-03-03T10:00Z'), customerId: 'internal' },
    ];
    const customers = [{ id: 'internal', metadata: { internal: 'true' } }];
    const o = resolveOptions({ timezone: 'UTC', exclude: { customerMetadata: { internal: 'true' }, testMode: true } });
    // charges 10000 + 5000 × 0.8 = 14000; refunds 2000; fees 170 + 175 × 0.8 = 310; net 14000 − 2000 − 310 = 11690
    expect(cashSummary(txns, customers, '2024-03-01', '2024-03-31', fx(), o)).toEqual({ charges: 14000, refunds: 2000, disputes: 0, fees: 310, net: 11690 });
    expect(refunds(txns, customers, '2024-03-01', '2024-03-31', fx(), o)).toBe(2000);
  });

  it('net cash subtracts disputes (withdrawn less won back) and their fees', () => {
    const txns = [
      { id: 'ch1', type: 'charge' as const, currency: 'gbp', amount: 10000, fee: 170, created: T('2024-03-01T10:00Z') },
      // a $40 dispute withdrawn on 2 March with a £15 dispute fee; £10 of another comes back on 6 March
      { id: 'dp1', type: 'dispute' as const, currency: 'usd', amount: 4000, fee: 0, created: T('2024-03-02T10:00Z') },
      { id: 'dpfee', type: 'dispute' as const, currency: 'gbp', amount: 0, fee: 1500, created: T('2024-03-02T10:00Z') },
      { id: 'dp2', type: 'dispute' as const, currency: 'gbp', amount: -1000, fee: 0, created: T('2024-03-06T10:00Z') },
      { id: 'dp3', type: 'dispute' as const, currency: 'gbp', amount: 9999, fee: 1500, created: T('2024-04-02T10:00Z') },
    ];
    const o = resolveOptions({ timezone: 'UTC' });
    // disputes $40 × 0.8 − 1000 = 2200; fees 170 + 1500 = 1670; net 10000 − 0 − 2200 − 1670 = 6130
    expect(cashSummary(txns, [], '2024-03-01', '2024-03-31', fx(), o)).toEqual({ charges: 10000, refunds: 0, disputes: 2200, fees: 1670, net: 6130 });
  });
});

describe('range-limited roll-ups and drill-down', () => {
  it('a February-only weekly roll-up starts from the MRR of 31 Jan', () => {
    const rows = rollup(agg(), 'week', { from: '2024-02-01', to: '2024-02-29' });
    expect(rows[0]).toMatchObject({ period: '2024-01-29', from: '2024-02-01', startMrr: 25000 });
    expect(rows.at(-1)).toMatchObject({ to: '2024-02-29', mrr: 24000 });
    expect(movementsBehind(business().customers.values(), '2024-02-01', '2024-02-29').map((l) => [l.date, l.customerId, l.kind, l.amount])).toEqual([
      ['2024-02-05', 'F', 'reactivation', 1000],
      ['2024-02-10', 'B', 'expansion', 3000],
      ['2024-02-12', 'C', 'contraction', -1000],
      ['2024-02-15', 'D', 'churn', -6000],
      ['2024-02-20', 'E', 'new', 2000],
    ]);
    expect(movementsBehind(business().customers.values(), '2024-01-01', '2024-03-31', 'churn').map((l) => l.customerId)).toEqual(['F', 'D']);
  });
});
