// Per-subscription MRR in the snapshot's per-plan figures (what the customer detail shows per subscription).
import { describe, expect, it } from 'vitest';
import { buildFxTable, resolveOptions } from '../metrics/index.js';
import { item, price, sub, ver } from '../metrics/test-support.js';
import { computeCustomers } from './compute.js';
import type { OrgData } from './load.js';
import { subscriptionMrr } from './queries.js';

const pro = price('price_pro', 1000);
const data = (subs: OrgData['subscriptions']): OrgData => ({
  customers: [{ key: 'acct_1/cus_1', id: 'cus_1', connectionId: 'conn_1', accountId: 'acct_1' }],
  subscriptions: subs,
  current: new Map(),
  invoices: [],
  cash: [],
  conversions: [],
  plans: new Map(),
  warnings: [],
});
const compute = (subs: OrgData['subscriptions']) =>
  computeCustomers(data(subs), resolveOptions({ timezone: 'UTC' }), buildFxTable([], 'GBP'), { from: '2026-01-01', to: '2026-03-31' }, '2026-03-31');

describe('per-subscription MRR of a plan', () => {
  it('keeps each subscription\'s own part: two subscriptions on one price with other quantities, and one trialing', () => {
    const result = compute([
      sub('sub_one', 'cus_1', [ver('2026-01-05T00:00Z', 'active', [item(pro, 1)])], { accountId: 'acct_1' }),
      sub('sub_three', 'cus_1', [ver('2026-01-10T00:00Z', 'active', [item(pro, 3)])], { accountId: 'acct_1' }),
      sub('sub_trial', 'cus_1', [ver('2026-03-20T00:00Z', 'trialing', [item(pro, 2)])], { accountId: 'acct_1' }),
    ]);
    const plan = result.customers[0]?.attributes.planMrr['price_pro'];
    expect(plan).toMatchObject({ mrr: 4000, native: 4000, subscriptions: 2 });
    expect(plan?.bySubscription).toEqual({ sub_one: { mrr: 1000, native: 1000 }, sub_three: { mrr: 3000, native: 3000 } });
    const byPrice = result.customers[0]?.attributes.planMrr ?? {};
    expect(subscriptionMrr('sub_one', ['price_pro'], byPrice)).toEqual({ mrr: 1000, nativeMrr: 1000 });
    expect(subscriptionMrr('sub_three', ['price_pro', 'price_pro'], byPrice)).toEqual({ mrr: 3000, nativeMrr: 3000 });
    expect(subscriptionMrr('sub_trial', ['price_pro'], byPrice)).toEqual({ mrr: 0, nativeMrr: 0 });
  });

  it('splits evenly what a snapshot from before per-subscription parts holds', () => {
    const legacy = { price_pro: { mrr: 4000, native: 5000, currency: 'usd', subscriptions: 2 } };
    expect(subscriptionMrr('sub_one', ['price_pro'], legacy)).toEqual({ mrr: 2000, nativeMrr: 2500 });
    expect(subscriptionMrr('sub_one', ['price_other'], legacy)).toEqual({ mrr: 0, nativeMrr: 0 });
  });
});

describe('data the engine cannot price', () => {
  it('leaves out only the customer it belongs to, named in the warnings, and computes the others', () => {
    const tiered = price('price_seats', 0, 'month', 1, 'gbp', { billing_scheme: 'tiered', tiers_mode: 'volume', unit_amount: null });
    const input: OrgData = {
      ...data([
        sub('sub_ok', 'cus_1', [ver('2026-01-05T00:00Z', 'active', [item(pro, 2)])], { accountId: 'acct_1' }),
        sub('sub_tiers', 'cus_2', [ver('2026-01-05T00:00Z', 'active', [item(tiered, 5)])], { accountId: 'acct_1' }),
        sub('sub_usd', 'cus_3', [ver('2026-01-05T00:00Z', 'active', [item(pro, 1)])], { accountId: 'acct_1', currency: 'usd' }),
      ]),
      customers: ['cus_1', 'cus_2', 'cus_3'].map((id) => ({ key: `acct_1/${id}`, id, connectionId: 'conn_1', accountId: 'acct_1' })),
    };
    const result = computeCustomers(input, resolveOptions({ timezone: 'UTC' }), buildFxTable([], 'GBP'), { from: '2026-01-01', to: '2026-03-31' }, '2026-03-31');
    expect(result.customers.map((c) => c.attributes.key)).toEqual(['acct_1/cus_1']);
    expect(result.customers[0]?.attributes.planMrr['price_pro']?.mrr).toBe(2000);
    expect([...result.dropped].sort()).toEqual(['acct_1/cus_2', 'acct_1/cus_3']);
    expect(result.warnings).toEqual(expect.arrayContaining([
      'customer cus_2: tiered price price_seats has no tiers; left out of every figure',
      'customer cus_3: price price_pro is in gbp, subscription in usd, and it has no usd currency option; left out of every figure',
    ]));
  });
});
