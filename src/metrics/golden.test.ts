/**
 * Golden scenarios: each one was worked on paper before the engine ran it. Amounts are minor units (pence
 * unless stated); the reporting currency is GBP and the timezone UTC unless the scenario says otherwise.
 * "MRR on D" is the MRR at the end of calendar day D. Every non-zero movement in the range is listed.
 */
import { describe, expect, it } from 'vitest';
import { discount, item, movementList, mrrOn, price, run, sub, T, ver, type Scenario } from './test-support.js';

const tierPrice = (id: string, mode: 'graduated' | 'volume', tiers: NonNullable<ReturnType<typeof price>['tiers']>) =>
  price(id, 0, 'month', 1, 'gbp', { billing_scheme: 'tiered', tiers_mode: mode, tiers, unit_amount: null });

const scenarios: Scenario[] = [
  {
    // £50/month × 1 from 10 Jan 12:00 → 5000 from the 10th; new +5000 that day.
    name: '01 monthly flat price',
    subs: [sub('s1', 'c1', [ver('2024-01-10T12:00Z', 'active', [item(price('p50', 5000))])])],
    from: '2024-01-01', to: '2024-01-31',
    mrr: { '2024-01-09': 0, '2024-01-10': 5000, '2024-01-31': 5000 },
    movements: [['2024-01-10', 'new', 5000]],
  },
  {
    // 3 seats × £20 = 6000.
    name: '02 quantity',
    subs: [sub('s1', 'c1', [ver('2024-01-05T08:00Z', 'active', [item(price('p20', 2000), 3)])])],
    from: '2024-01-01', to: '2024-01-10',
    mrr: { '2024-01-04': 0, '2024-01-05': 6000 },
    movements: [['2024-01-05', 'new', 6000]],
  },
  {
    // £1,200/year → 120000 ÷ 12 = 10000 exactly.
    name: '03 yearly divides by 12',
    subs: [sub('s1', 'c1', [ver('2024-01-01T00:00Z', 'active', [item(price('py', 120000, 'year'))])])],
    from: '2024-01-01', to: '2024-01-05',
    mrr: { '2023-12-31': 0, '2024-01-01': 10000 },
    movements: [['2024-01-01', 'new', 10000]],
  },
  {
    // £1,000/year → 100000 ÷ 12 = 8333.33… → 8333.
    name: '04 yearly with remainder',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('py', 100000, 'year'))])])],
    from: '2024-01-01', to: '2024-01-05',
    mrr: { '2024-01-02': 8333 },
    movements: [['2024-01-02', 'new', 8333]],
  },
  {
    // £10/week → 1000 × 52 ÷ 12 = 4333.33… → 4333.
    name: '05 weekly × 52 ÷ 12',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pw', 1000, 'week'))])])],
    from: '2024-01-01', to: '2024-01-05',
    mrr: { '2024-01-03': 4333 },
    movements: [['2024-01-02', 'new', 4333]],
  },
  {
    // £1/day → 100 × 365 ÷ 12 = 3041.66… → 3042.
    name: '06 daily × 365 ÷ 12',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pd', 100, 'day'))])])],
    from: '2024-01-01', to: '2024-01-05',
    mrr: { '2024-01-05': 3042 },
    movements: [['2024-01-02', 'new', 3042]],
  },
  {
    // £90 every 3 months → 9000 ÷ 3 = 3000; £15 every 2 weeks → 1500 × 52 ÷ 24 = 3250. Two customers.
    name: '07 interval_count',
    subs: [
      sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pq', 9000, 'month', 3))])]),
      sub('s2', 'c2', [ver('2024-01-03T00:00Z', 'active', [item(price('p2w', 1500, 'week', 2))])]),
    ],
    from: '2024-01-01', to: '2024-01-05',
    mrr: { '2024-01-02': 3000, '2024-01-03': 6250 },
    movements: [['2024-01-02', 'new', 3000], ['2024-01-03', 'new', 3250]],
  },
  {
    // Half-even per customer: 30p/year → 2.5 → 2 (2 is even); 42p/year → 3.5 → 4. Org = 2 + 4 = 6.
    name: '08 half-even rounding per customer figure',
    subs: [
      sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('py30', 30, 'year'))])]),
      sub('s2', 'c2', [ver('2024-01-02T00:00Z', 'active', [item(price('py42', 42, 'year'))])]),
    ],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 6 },
    movements: [['2024-01-02', 'new', 6]],
    paying: { '2024-01-02': 2 },
  },
  {
    // Graduated 12 units: 5 × 1000 + 5 × 800 + 2 × 500 = 5000 + 4000 + 1000 = 10000.
    name: '09 graduated tiers',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(tierPrice('pt', 'graduated', [
      { up_to: 5, unit_amount: 1000 }, { up_to: 10, unit_amount: 800 }, { up_to: 'inf', unit_amount: 500 },
    ]), 12)])])],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 10000 },
    movements: [['2024-01-02', 'new', 10000]],
  },
  {
    // Volume, same tiers: 12 units fall in the 500 tier → 12 × 500 = 6000; on 2 Jan 12:00 quantity 7 → 7 × 800 =
    // 5600, contraction −400 on the 2nd.
    name: '10 volume tiers and a quantity change between tiers',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(tierPrice('pv', 'volume', [
        { up_to: 5, unit_amount: 1000 }, { up_to: 10, unit_amount: 800 }, { up_to: null, unit_amount: 500 },
      ]), 12)]),
      ver('2024-01-02T12:00Z', 'active', [item(tierPrice('pv', 'volume', [
        { up_to: 5, unit_amount: 1000 }, { up_to: 10, unit_amount: 800 }, { up_to: null, unit_amount: 500 },
      ]), 7)]),
    ])],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-01': 6000, '2024-01-02': 5600 },
    movements: [['2024-01-01', 'new', 6000], ['2024-01-02', 'contraction', -400]],
  },
  {
    // Graduated with a flat first tier: 4 units → flat 2000 (first unit) + 3 × 300 = 2900.
    // Volume with flat: 15 units → tier 2: 15 × 80 + 1000 = 2200. One customer each.
    name: '11 flat amounts in tiers',
    subs: [
      sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(tierPrice('pg', 'graduated', [
        { up_to: 1, flat_amount: 2000, unit_amount: 0 }, { up_to: 'inf', unit_amount: 300 },
      ]), 4)])]),
      sub('s2', 'c2', [ver('2024-01-02T00:00Z', 'active', [item(tierPrice('pvf', 'volume', [
        { up_to: 10, unit_amount: 100, flat_amount: 500 }, { up_to: 'inf', unit_amount: 80, flat_amount: 1000 },
      ]), 15)])]),
    ],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 5100 },
    movements: [['2024-01-02', 'new', 5100]],
  },
  {
    // transform_quantity ÷10: 25 seats round up → 3 × 1000 = 3000; 25 round down → 2 × 1000 = 2000. Same
    // customer: 5000.
    name: '12 transform_quantity',
    subs: [
      sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pu', 1000, 'month', 1, 'gbp', { transform_quantity: { divide_by: 10, round: 'up' } }), 25)])]),
      sub('s2', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pdn', 1000, 'month', 1, 'gbp', { transform_quantity: { divide_by: 10, round: 'down' } }), 25)])]),
    ],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 5000 },
    movements: [['2024-01-02', 'new', 5000]],
    paying: { '2024-01-02': 1 },
  },
  {
    // unit_amount_decimal "12.5" × 3 = 37.5 → half-even → 38 (37 is odd).
    name: '13 fractional unit_amount_decimal',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pdec', 0, 'month', 1, 'gbp', { unit_amount: null, unit_amount_decimal: '12.5' }), 3)])])],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 38 },
    movements: [['2024-01-02', 'new', 38]],
  },
  {
    // 20% forever on £50: 5000 × 0.8 = 4000 (same under both presets).
    name: '14 percent forever coupon',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p50', 5000))], {
      discounts: [discount('2024-01-02T00:00Z', { id: 'twenty', percent_off: 20, duration: 'forever' })],
    })])],
    from: '2024-01-01', to: '2024-03-01',
    mrr: { '2024-01-02': 4000, '2024-03-01': 4000 },
    movements: [['2024-01-02', 'new', 4000]],
  },
  {
    // 50% repeating 3 months on £40 from 15 Jan 00:00: 2000 until 15 Apr 00:00 (start + 3 months), then 4000;
    // expansion +2000 on 15 Apr.
    name: '15 repeating coupon ends after N months (Mowt default)',
    subs: [sub('s1', 'c1', [ver('2024-01-15T00:00Z', 'active', [item(price('p40', 4000))], {
      discounts: [discount('2024-01-15T00:00Z', { id: 'half3', percent_off: 50, duration: 'repeating', duration_in_months: 3 })],
    })])],
    from: '2024-01-01', to: '2024-05-31',
    mrr: { '2024-01-15': 2000, '2024-04-14': 2000, '2024-04-15': 4000 },
    movements: [['2024-01-15', 'new', 2000], ['2024-04-15', 'expansion', 2000]],
  },
  {
    // Same under the stripe preset: only forever coupons count → 4000 from the start, no expansion.
    name: '16 repeating coupon ignored by the stripe preset',
    options: { preset: 'stripe', timezone: 'UTC' },
    subs: [sub('s1', 'c1', [ver('2024-01-15T00:00Z', 'active', [item(price('p40', 4000))], {
      discounts: [discount('2024-01-15T00:00Z', { id: 'half3', percent_off: 50, duration: 'repeating', duration_in_months: 3 })],
    })])],
    from: '2024-01-01', to: '2024-05-31',
    mrr: { '2024-01-15': 4000, '2024-04-15': 4000 },
    movements: [['2024-01-15', 'new', 4000]],
  },
  {
    // £10 once off £30/month from 1 Feb: once = one billing interval → until 1 Mar. 3000 − 1000 = 2000 in Feb,
    // 3000 from 1 Mar (+1000 expansion).
    name: '17 once amount_off coupon lasts one interval',
    subs: [sub('s1', 'c1', [ver('2024-02-01T00:00Z', 'active', [item(price('p30', 3000))], {
      discounts: [discount('2024-02-01T00:00Z', { id: 'tenoff', amount_off: 1000, currency: 'gbp', duration: 'once' })],
    })])],
    from: '2024-02-01', to: '2024-03-05',
    mrr: { '2024-02-29': 2000, '2024-03-01': 3000 },
    movements: [['2024-02-01', 'new', 2000], ['2024-03-01', 'expansion', 1000]],
  },
  {
    // £120 off forever on £1,200/year: the fixed amount is per invoice (per year) → spread ÷ 12:
    // 120000 ÷ 12 − 12000 ÷ 12 = 10000 − 1000 = 9000.
    name: '18 amount_off spread over a yearly interval',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('py', 120000, 'year'))], {
      discounts: [discount('2024-01-02T00:00Z', { id: 'y120', amount_off: 12000, currency: 'gbp', duration: 'forever' })],
    })])],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 9000 },
    movements: [['2024-01-02', 'new', 9000]],
  },
  {
    // Customer-level 10% forever applies to s1 (no own discount): 2000 × 0.9 = 1800; s2 has its own 50% which
    // overrides the customer's: 3000 × 0.5 = 1500. Total 3300.
    name: '19 customer-level discount, overridden by a subscription discount',
    customers: [{ id: 'c1', discounts: [discount('2024-01-01T00:00Z', { id: 'cust10', percent_off: 10, duration: 'forever' })] }],
    subs: [
      sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p20', 2000))])]),
      sub('s2', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p30', 3000))], {
        discounts: [discount('2024-01-02T00:00Z', { id: 'half', percent_off: 50, duration: 'forever' })],
      })]),
    ],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 3300 },
    movements: [['2024-01-02', 'new', 3300]],
  },
  {
    // Trial until 15 Jan 00:00 counts 0; paid from 15 Jan 00:00:05 → 2500, new on the 15th.
    name: '20 trial counts zero until paid',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T10:00Z', 'trialing', [item(price('p25', 2500))], { trial_end: T('2024-01-15T00:00Z') }),
      ver('2024-01-15T00:00:05Z', 'active', [item(price('p25', 2500))], { trial_end: T('2024-01-15T00:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-01-31',
    mrr: { '2024-01-14': 0, '2024-01-15': 2500 },
    movements: [['2024-01-15', 'new', 2500]],
  },
  {
    // Trial that never converts: no MRR, no movement.
    name: '21 unconverted trial',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T10:00Z', 'trialing', [item(price('p25', 2500))], { trial_end: T('2024-01-15T00:00Z') }),
      ver('2024-01-15T00:00Z', 'canceled', [item(price('p25', 2500))], { ended_at: T('2024-01-15T00:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-01-31',
    mrr: { '2024-01-31': 0 },
    movements: [],
  },
  {
    // past_due still counts: 4000 throughout; only the new movement.
    name: '22 past_due keeps MRR',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p40', 4000))]),
      ver('2024-01-10T00:00Z', 'past_due', [item(price('p40', 4000))]),
      ver('2024-01-12T00:00Z', 'active', [item(price('p40', 4000))]),
    ])],
    from: '2024-01-01', to: '2024-01-31',
    mrr: { '2024-01-10': 4000, '2024-01-11': 4000 },
    movements: [['2024-01-01', 'new', 4000]],
  },
  {
    // unpaid on 20 Jan → 0, churn −4000; paid again 5 Feb → reactivation +4000 (had paid before).
    name: '23 unpaid churns, payment reactivates',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p40', 4000))]),
      ver('2024-01-20T00:00Z', 'unpaid', [item(price('p40', 4000))]),
      ver('2024-02-05T00:00Z', 'active', [item(price('p40', 4000))]),
    ])],
    from: '2024-01-01', to: '2024-02-10',
    mrr: { '2024-01-19': 4000, '2024-01-20': 0, '2024-02-04': 0, '2024-02-05': 4000 },
    movements: [['2024-01-01', 'new', 4000], ['2024-01-20', 'churn', -4000], ['2024-02-05', 'reactivation', 4000]],
  },
  {
    // Immediate cancellation at 10 Jan 15:00 → 0 at the end of the 10th; churn −6000 that day.
    name: '24 immediate cancellation churns at once',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p60', 6000))]),
      ver('2024-01-10T15:00Z', 'canceled', [item(price('p60', 6000))], { canceled_at: T('2024-01-10T15:00Z'), ended_at: T('2024-01-10T15:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-01-31',
    mrr: { '2024-01-09': 6000, '2024-01-10': 0 },
    movements: [['2024-01-01', 'new', 6000], ['2024-01-10', 'churn', -6000]],
  },
  {
    // cancel_at_period_end requested 10 Jan; period ends 1 Feb 09:00. Mowt keeps 6000 through 31 Jan; churn
    // −6000 on 1 Feb.
    name: '25 cancel_at_period_end churns at period end (Mowt)',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p60', 6000))], { current_period_end: T('2024-02-01T09:00Z') }),
      ver('2024-01-10T15:00Z', 'active', [item(price('p60', 6000))], { cancel_at_period_end: true, canceled_at: T('2024-01-10T15:00Z'), current_period_end: T('2024-02-01T09:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-02-10',
    mrr: { '2024-01-31': 6000, '2024-02-01': 0 },
    movements: [['2024-01-01', 'new', 6000], ['2024-02-01', 'churn', -6000]],
  },
  {
    // Same data, stripe preset: churn is recognised at the cancellation request, 10 Jan.
    name: '26 cancel_at_period_end churns at request (stripe preset)',
    options: { preset: 'stripe', timezone: 'UTC' },
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p60', 6000))], { current_period_end: T('2024-02-01T09:00Z') }),
      ver('2024-01-10T15:00Z', 'active', [item(price('p60', 6000))], { cancel_at_period_end: true, canceled_at: T('2024-01-10T15:00Z'), current_period_end: T('2024-02-01T09:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-02-10',
    mrr: { '2024-01-09': 6000, '2024-01-10': 0, '2024-02-01': 0 },
    movements: [['2024-01-01', 'new', 6000], ['2024-01-10', 'churn', -6000]],
  },
  {
    // Cancellation withdrawn on 20 Jan. Stripe preset: churn −6000 on the 10th, reactivation +6000 on the 20th.
    name: '27 withdrawn cancellation (stripe preset)',
    options: { preset: 'stripe', timezone: 'UTC' },
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p60', 6000))], { current_period_end: T('2024-02-01T09:00Z') }),
      ver('2024-01-10T15:00Z', 'active', [item(price('p60', 6000))], { cancel_at_period_end: true, canceled_at: T('2024-01-10T15:00Z'), current_period_end: T('2024-02-01T09:00Z') }),
      ver('2024-01-20T00:00Z', 'active', [item(price('p60', 6000))], { cancel_at_period_end: false, current_period_end: T('2024-02-01T09:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-02-10',
    mrr: { '2024-01-15': 0, '2024-01-20': 6000, '2024-02-05': 6000 },
    movements: [['2024-01-01', 'new', 6000], ['2024-01-10', 'churn', -6000], ['2024-01-20', 'reactivation', 6000]],
  },
  {
    // Same withdrawn cancellation under Mowt: the period end is never reached while cancelled → no movement.
    name: '28 withdrawn cancellation (Mowt)',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p60', 6000))], { current_period_end: T('2024-02-01T09:00Z') }),
      ver('2024-01-10T15:00Z', 'active', [item(price('p60', 6000))], { cancel_at_period_end: true, canceled_at: T('2024-01-10T15:00Z'), current_period_end: T('2024-02-01T09:00Z') }),
      ver('2024-01-20T00:00Z', 'active', [item(price('p60', 6000))], { cancel_at_period_end: false, current_period_end: T('2024-02-01T09:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-02-10',
    mrr: { '2024-01-15': 6000, '2024-02-05': 6000 },
    movements: [['2024-01-01', 'new', 6000]],
  },
  {
    // Upgrade £30 → £50 on 15 Jan (+2000 expansion), downgrade £50 → £20 on 10 Feb (−3000 contraction).
    name: '29 upgrade then downgrade',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p30', 3000))]),
      ver('2024-01-15T12:00Z', 'active', [item(price('p50', 5000))]),
      ver('2024-02-10T12:00Z', 'active', [item(price('p20', 2000))]),
    ])],
    from: '2024-01-01', to: '2024-02-29',
    mrr: { '2024-01-14': 3000, '2024-01-15': 5000, '2024-02-10': 2000 },
    movements: [['2024-01-01', 'new', 3000], ['2024-01-15', 'expansion', 2000], ['2024-02-10', 'contraction', -3000]],
  },
  {
    // Seats 2 → 5 at £10: 2000 → 5000, expansion +3000.
    name: '30 quantity increase',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p10', 1000), 2)]),
      ver('2024-01-08T09:00Z', 'active', [item(price('p10', 1000), 5)]),
    ])],
    from: '2024-01-01', to: '2024-01-10',
    mrr: { '2024-01-07': 2000, '2024-01-08': 5000 },
    movements: [['2024-01-01', 'new', 2000], ['2024-01-08', 'expansion', 3000]],
  },
  {
    // pause_collection from 10 Jan until 10 Feb: 0 while paused (churn −3000), back on 10 Feb (reactivation
    // +3000) — within the same version, the resume time is the breakpoint.
    name: '31 pause_collection',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('p30', 3000))]),
      ver('2024-01-10T00:00Z', 'active', [item(price('p30', 3000))], { pause_collection: { behavior: 'void', resumes_at: T('2024-02-10T00:00Z') } }),
    ])],
    from: '2024-01-01', to: '2024-02-15',
    mrr: { '2024-01-09': 3000, '2024-01-10': 0, '2024-02-09': 0, '2024-02-10': 3000 },
    movements: [['2024-01-01', 'new', 3000], ['2024-01-10', 'churn', -3000], ['2024-02-10', 'reactivation', 3000]],
  },
  {
    // Trial ends into status paused (no payment method), paid on 1 Feb: first ever paid day → new, not
    // reactivation.
    name: '32 paused after trial then paid is new',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'trialing', [item(price('p30', 3000))], { trial_end: T('2024-01-15T00:00Z') }),
      ver('2024-01-15T00:00Z', 'paused', [item(price('p30', 3000))], { trial_end: T('2024-01-15T00:00Z') }),
      ver('2024-02-01T10:00Z', 'active', [item(price('p30', 3000))], { trial_end: T('2024-01-15T00:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-02-05',
    mrr: { '2024-01-20': 0, '2024-02-01': 3000 },
    movements: [['2024-02-01', 'new', 3000]],
  },
  {
    // USD $100/month = 10000 cents. GBP per USD: 0.8 from 1 Jan, 0.75 from 3 Jan (2 Jan falls back to 0.8).
    // 1 Jan: 10000 × 0.8 = 8000 new; 2 Jan 8000; 3 Jan 10000 × 0.75 = 7500 → fx −500.
    name: '33 foreign currency and an FX move',
    subs: [sub('s1', 'c1', [ver('2024-01-01T09:00Z', 'active', [item(price('pusd', 10000, 'month', 1, 'usd'))])], { currency: 'usd' })],
    fx: [{ currency: 'USD', date: '2024-01-01', rate: '0.8' }, { currency: 'USD', date: '2024-01-03', rate: '0.75' }],
    from: '2024-01-01', to: '2024-01-05',
    mrr: { '2024-01-01': 8000, '2024-01-02': 8000, '2024-01-03': 7500, '2024-01-05': 7500 },
    movements: [['2024-01-01', 'new', 8000], ['2024-01-03', 'fx', -500]],
  },
  {
    // FX move and upgrade on the same day: $100 → $120 on 3 Jan with the rate 0.8 → 0.75.
    // fx = 10000 × 0.75 − 8000 = −500; expansion = 12000 × 0.75 − 7500 = 1500; total +1000 = 9000 − 8000.
    name: '34 FX move and upgrade on one day',
    subs: [sub('s1', 'c1', [
      ver('2024-01-01T09:00Z', 'active', [item(price('pusd', 10000, 'month', 1, 'usd'))]),
      ver('2024-01-03T09:00Z', 'active', [item(price('pusd2', 12000, 'month', 1, 'usd'))]),
    ], { currency: 'usd' })],
    fx: [{ currency: 'USD', date: '2024-01-01', rate: '0.8' }, { currency: 'USD', date: '2024-01-03', rate: '0.75' }],
    from: '2024-01-01', to: '2024-01-05',
    mrr: { '2024-01-02': 8000, '2024-01-03': 9000 },
    movements: [['2024-01-01', 'new', 8000], ['2024-01-03', 'expansion', 1500], ['2024-01-03', 'fx', -500]],
  },
  {
    // JPY is zero-decimal: ¥12,000 = 12000 minor units; 0.0052 GBP/JPY → £62.40 = 12000 × 0.0052 × 100 = 6240p.
    name: '35 zero-decimal currency',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('pjpy', 12000, 'month', 1, 'jpy'))])], { currency: 'jpy' })],
    fx: [{ currency: 'JPY', date: '2023-12-29', rate: '0.0052' }],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 6240 },
    movements: [['2024-01-02', 'new', 6240]],
  },
  {
    // 10 Jan 03:00 UTC is 9 Jan 22:00 in New York: the new MRR lands on 9 Jan in that timezone.
    name: '36 day boundaries follow the org timezone (New York)',
    options: { timezone: 'America/New_York' },
    subs: [sub('s1', 'c1', [ver('2024-01-10T03:00Z', 'active', [item(price('p10', 1000))])])],
    from: '2024-01-05', to: '2024-01-12',
    mrr: { '2024-01-08': 0, '2024-01-09': 1000 },
    movements: [['2024-01-09', 'new', 1000]],
  },
  {
    // 31 Mar 2024 23:30 UTC is 1 Apr 00:30 BST in London (clocks went forward that morning): new on 1 Apr.
    name: '37 London across the DST change',
    options: { timezone: 'Europe/London' },
    subs: [sub('s1', 'c1', [ver('2024-03-31T23:30Z', 'active', [item(price('p10', 1000))])])],
    from: '2024-03-30', to: '2024-04-02',
    mrr: { '2024-03-31': 0, '2024-04-01': 1000 },
    movements: [['2024-04-01', 'new', 1000]],
  },
  {
    // Exclusions: c_int (metadata internal=true) out; the price tagged test=true out; a test-mode subscription
    // out. Left: c_b's £20 item → 2000.
    name: '38 exclusions by metadata, plan and test mode',
    options: { timezone: 'UTC', exclude: { customerMetadata: { internal: 'true' }, planMetadata: { test: 'true' }, testMode: true } },
    customers: [{ id: 'c_int', metadata: { internal: 'true' } }, { id: 'c_b' }, { id: 'c_test', livemode: false }],
    subs: [
      sub('s_int', 'c_int', [ver('2024-01-02T00:00Z', 'active', [item(price('p50', 5000))])]),
      sub('s_b', 'c_b', [ver('2024-01-02T00:00Z', 'active', [item(price('p20', 2000)), item(price('ptest', 500, 'month', 1, 'gbp', { metadata: { test: 'true' } }))])]),
      sub('s_test', 'c_test', [ver('2024-01-02T00:00Z', 'active', [item(price('p100', 10000))])], { livemode: false }),
    ],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 2000 },
    movements: [['2024-01-02', 'new', 2000]],
    paying: { '2024-01-02': 1 },
  },
  {
    // Two accounts, each with a customer "cus_1": they stay two customers. 1000 + 2000 = 3000, 2 paying.
    name: '39 combined Stripe accounts',
    subs: [
      sub('s1', 'cus_1', [ver('2024-01-02T00:00Z', 'active', [item(price('p10', 1000))])], { accountId: 'acct_1' }),
      sub('s2', 'cus_1', [ver('2024-01-02T00:00Z', 'active', [item(price('p20', 2000))])], { accountId: 'acct_2' }),
    ],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 3000 },
    movements: [['2024-01-02', 'new', 3000]],
    paying: { '2024-01-02': 2 },
  },
  {
    // One-off (no recurring) and metered items are excluded: only the £10 licensed monthly item counts.
    name: '40 one-off and metered items excluded',
    subs: [sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [
      item(price('p10', 1000)),
      item({ id: 'setup', currency: 'gbp', unit_amount: 5000, recurring: null }),
      item(price('pmeter', 7, 'month', 1, 'gbp', { recurring: { interval: 'month', interval_count: 1, usage_type: 'metered' } }), 1),
    ])])],
    from: '2024-01-01', to: '2024-01-03',
    mrr: { '2024-01-02': 1000 },
    movements: [['2024-01-02', 'new', 1000]],
  },
  {
    // Churned (sub 1 cancelled 10 Jan) then a brand-new subscription on 1 Feb → reactivation +1500.
    name: '41 returning customer on a new subscription is a reactivation',
    subs: [
      sub('s1', 'c1', [
        ver('2024-01-01T09:00Z', 'active', [item(price('p10', 1000))]),
        ver('2024-01-10T09:00Z', 'canceled', [item(price('p10', 1000))], { ended_at: T('2024-01-10T09:00Z') }),
      ]),
      sub('s2', 'c1', [ver('2024-02-01T09:00Z', 'active', [item(price('p15', 1500))])]),
    ],
    from: '2024-01-01', to: '2024-02-05',
    mrr: { '2024-01-10': 0, '2024-02-01': 1500 },
    movements: [['2024-01-01', 'new', 1000], ['2024-01-10', 'churn', -1000], ['2024-02-01', 'reactivation', 1500]],
  },
  {
    // One of two subscriptions ends: the customer still pays → contraction −2000, not churn.
    name: '42 losing one of two subscriptions is contraction',
    subs: [
      sub('s1', 'c1', [ver('2024-01-01T09:00Z', 'active', [item(price('p10', 1000))])]),
      sub('s2', 'c1', [
        ver('2024-01-01T09:00Z', 'active', [item(price('p20', 2000))]),
        ver('2024-01-05T09:00Z', 'canceled', [item(price('p20', 2000))], { ended_at: T('2024-01-05T09:00Z') }),
      ]),
    ],
    from: '2024-01-01', to: '2024-01-06',
    mrr: { '2024-01-04': 3000, '2024-01-05': 1000 },
    movements: [['2024-01-01', 'new', 3000], ['2024-01-05', 'contraction', -2000]],
  },
  {
    // cancel_at fixed on 20 Jan 00:00 (Mowt): MRR 1000 until the 19th, churn on the 20th.
    name: '43 cancel_at',
    subs: [sub('s1', 'c1', [ver('2024-01-01T09:00Z', 'active', [item(price('p10', 1000))], { cancel_at: T('2024-01-20T00:00Z') })])],
    from: '2024-01-01', to: '2024-01-31',
    mrr: { '2024-01-19': 1000, '2024-01-20': 0 },
    movements: [['2024-01-01', 'new', 1000], ['2024-01-20', 'churn', -1000]],
  },
  {
    // A customer paying in GBP and EUR: £10 + €10 × 0.86 = 1000 + 860 = 1860 new on 2 Jan; EUR 0.9 from 3 Jan:
    // 1000 + 900 = 1900 → fx +40.
    name: '44 one customer, two currencies',
    subs: [
      sub('s1', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('p10', 1000))])]),
      sub('s2', 'c1', [ver('2024-01-02T00:00Z', 'active', [item(price('peur', 1000, 'month', 1, 'eur'))])], { currency: 'eur' }),
    ],
    fx: [{ currency: 'EUR', date: '2024-01-01', rate: 0.86 }, { currency: 'EUR', date: '2024-01-03', rate: '0.9' }],
    from: '2024-01-01', to: '2024-01-04',
    mrr: { '2024-01-02': 1860, '2024-01-03': 1900 },
    movements: [['2024-01-02', 'new', 1860], ['2024-01-03', 'fx', 40]],
  },
  {
    // A subscription that starts and is cancelled within one day never ends a day paying: nothing to report.
    name: '45 intra-day blip is invisible',
    subs: [sub('s1', 'c1', [
      ver('2024-01-05T09:00Z', 'active', [item(price('p10', 1000))]),
      ver('2024-01-05T15:00Z', 'canceled', [item(price('p10', 1000))], { ended_at: T('2024-01-05T15:00Z') }),
    ])],
    from: '2024-01-01', to: '2024-01-10',
    mrr: { '2024-01-05': 0 },
    movements: [],
  },
];

describe('golden scenarios', () => {
  it('has at least 30 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
  });
  for (const s of scenarios) {
    it(s.name, () => {
      const r = run(s);
      for (const [date, mrr] of Object.entries(s.mrr)) expect([date, mrrOn(r, date)]).toEqual([date, mrr]);
      expect(movementList(r)).toEqual(s.movements);
      for (const [date, n] of Object.entries(s.paying ?? {})) {
        expect(r.aggregates.days.find((d) => d.date === date)?.payingCustomers).toBe(n);
      }
      // the invariant holds on every golden scenario too
      const total = r.aggregates.days.reduce((a, d) => a + d.new + d.expansion + d.contraction + d.churn + d.reactivation + d.fx, 0);
      expect(total).toBe((r.aggregates.days.at(-1)?.mrr ?? 0) - r.aggregates.opening.mrr);
    });
  }
});
