// The product catalogue of a synthetic business: products, prices (per currency), coupons and a tax rate.
// It is small and fixed per seed, so it is built eagerly for every size.

export type Currency = 'gbp' | 'usd' | 'eur';
export type Interval = 'day' | 'week' | 'month' | 'year';

export interface PlanSpec {
  product: number;
  nickname: string;
  interval: Interval;
  intervalCount: number;
  /** Per unit, in GBP minor units; other currencies are derived. */
  unitAmountGbp: number;
  /** Volume-tiered per-seat plan when set. */
  tiers?: Array<{ upTo: number | null; unitAmountGbp: number; flatAmountGbp: number }>;
  /** Plans in the same family can be upgraded/downgraded into each other (by rank). */
  family: string;
  rank: number;
  seats: boolean;
}

export interface ProductSpec {
  name: string;
  description: string;
}

export interface CouponSpec {
  name: string;
  percentOff: number | null;
  amountOffGbp: number | null;
  duration: 'once' | 'repeating' | 'forever';
  durationInMonths: number | null;
}

export const PRODUCTS: readonly ProductSpec[] = [
  { name: 'Mowt Starter', description: 'For side projects' },
  { name: 'Mowt Pro', description: 'For growing teams' },
  { name: 'Mowt Team', description: 'Per-seat pricing with volume tiers' },
  { name: 'Mowt Insights Weekly', description: 'Weekly digest add-on' },
];

export const PLANS: readonly PlanSpec[] = [
  { product: 0, nickname: 'Starter monthly', interval: 'month', intervalCount: 1, unitAmountGbp: 900, family: 'core', rank: 0, seats: false },
  { product: 0, nickname: 'Starter yearly', interval: 'year', intervalCount: 1, unitAmountGbp: 9000, family: 'core-y', rank: 0, seats: false },
  { product: 1, nickname: 'Pro monthly', interval: 'month', intervalCount: 1, unitAmountGbp: 2900, family: 'core', rank: 1, seats: false },
  { product: 1, nickname: 'Pro quarterly', interval: 'month', intervalCount: 3, unitAmountGbp: 7900, family: 'core-q', rank: 1, seats: false },
  { product: 1, nickname: 'Pro yearly', interval: 'year', intervalCount: 1, unitAmountGbp: 29000, family: 'core-y', rank: 1, seats: false },
  {
    product: 2, nickname: 'Team monthly (per seat)', interval: 'month', intervalCount: 1, unitAmountGbp: 0, family: 'team', rank: 2, seats: true,
    tiers: [
      { upTo: 5, unitAmountGbp: 1500, flatAmountGbp: 0 },
      { upTo: 20, unitAmountGbp: 1200, flatAmountGbp: 0 },
      { upTo: null, unitAmountGbp: 900, flatAmountGbp: 2000 },
    ],
  },
  { product: 3, nickname: 'Insights weekly', interval: 'week', intervalCount: 1, unitAmountGbp: 300, family: 'weekly', rank: 0, seats: false },
  { product: 3, nickname: 'Insights fortnightly', interval: 'week', intervalCount: 2, unitAmountGbp: 550, family: 'weekly', rank: 1, seats: false },
];

export const CURRENCIES: readonly Currency[] = ['gbp', 'usd', 'eur'];

/** Price points per currency are "nice" numbers, not FX conversions, as real price lists are. */
export function localAmount(amountGbp: number, currency: Currency): number {
  if (currency === 'gbp') return amountGbp;
  const factor = currency === 'usd' ? 1.25 : 1.15;
  return Math.round((amountGbp * factor) / 100) * 100 || Math.round(amountGbp * factor);
}

export const COUPONS: readonly CouponSpec[] = [
  { name: 'Launch 20% off first invoice', percentOff: 20, amountOffGbp: null, duration: 'once', durationInMonths: null },
  { name: '50% off for 3 months', percentOff: 50, amountOffGbp: null, duration: 'repeating', durationInMonths: 3 },
  { name: 'Partner 10% forever', percentOff: 10, amountOffGbp: null, duration: 'forever', durationInMonths: null },
  { name: '£5 off forever', percentOff: null, amountOffGbp: 500, duration: 'forever', durationInMonths: null },
  { name: '25% off for 12 months', percentOff: 25, amountOffGbp: null, duration: 'repeating', durationInMonths: 12 },
];

/** Index of the price for (plan, currency) in the flat price list. */
export function priceIndex(plan: number, currency: Currency): number {
  return plan * CURRENCIES.length + CURRENCIES.indexOf(currency);
}

export const PRICE_COUNT = PLANS.length * CURRENCIES.length;

export function planOfPrice(priceIdx: number): { plan: PlanSpec; planIdx: number; currency: Currency } {
  const planIdx = Math.floor(priceIdx / CURRENCIES.length);
  const plan = PLANS[planIdx];
  const currency = CURRENCIES[priceIdx % CURRENCIES.length];
  if (!plan || !currency) throw new Error(`no price ${priceIdx}`);
  return { plan, planIdx, currency };
}

/**
 * Plans (Pro monthly, Team monthly) whose GBP price also lists USD and EUR amounts in `currency_options`, the
 * same "nice" local amounts as their USD and EUR prices, so a subscription's figures do not depend on which
 * of the two prices it is on.
 */
export const MULTI_CURRENCY_PLANS: readonly number[] = [2, 5];

/**
 * The price a subscription item shows for the economic price `priceIdx` (plan × the customer's currency): for
 * one customer in six paying in USD or EUR on a multi-currency plan, the GBP price, billed from its
 * `currency_options`. Derived from the customer index, so it draws nothing from the simulation's RNG.
 */
export function shownPriceIndex(priceIdx: number, customerIndex: number, multiCurrency: boolean): number {
  if (!multiCurrency || customerIndex % 6 !== 1) return priceIdx;
  const { planIdx, currency } = planOfPrice(priceIdx);
  return currency !== 'gbp' && MULTI_CURRENCY_PLANS.includes(planIdx) ? priceIndex(planIdx, 'gbp') : priceIdx;
}

/** Amount for `quantity` units of a price, honouring volume tiers. */
export function priceAmount(priceIdx: number, quantity: number): number {
  const { plan, currency } = planOfPrice(priceIdx);
  if (!plan.tiers) return localAmount(plan.unitAmountGbp, currency) * quantity;
  const tier = plan.tiers.find((t) => t.upTo === null || quantity <= t.upTo) ?? plan.tiers[plan.tiers.length - 1];
  if (!tier) return 0;
  return localAmount(tier.unitAmountGbp, currency) * quantity + localAmount(tier.flatAmountGbp, currency);
}

export const TAX_RATE_PERCENT = 20;

/** GBP per unit of the charge currency, varying slightly per month so exchange_rate is not constant. */
export function exchangeRateToGbp(currency: Currency, unixSeconds: number): number {
  if (currency === 'gbp') return 1;
  const month = Math.floor(unixSeconds / (30 * 86400));
  const wobble = ((month * 7919) % 41) / 1000 - 0.02;
  const base = currency === 'usd' ? 0.79 : 0.86;
  return Math.round((base + wobble) * 1e6) / 1e6;
}
