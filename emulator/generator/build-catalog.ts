// Stripe JSON for the catalogue: products, prices, coupons, plus the legacy `plan` view of a price.
import { COUPONS, CURRENCIES, MULTI_CURRENCY_PLANS, PLANS, PRICE_COUNT, PRODUCTS, localAmount, planOfPrice, priceIndex } from './catalog.js';
import { makeId } from './ids.js';
import type { StripeObject } from './types.js';

export interface CatalogContext {
  salt: number;
  /** When the catalogue was created (before the first customer). */
  created: number;
}

export const productId = (ctx: CatalogContext, p: number): string => makeId('prod', ctx.salt, p);
export const priceId = (ctx: CatalogContext, i: number): string => makeId('price', ctx.salt, i);
export const taxRateId = (ctx: CatalogContext): string => makeId('txr', ctx.salt, 0);

/** Coupon ids are merchant-chosen strings in Stripe; these are stable and readable. */
export function couponId(i: number): string {
  const coupon = COUPONS[i];
  if (!coupon) throw new Error(`no coupon ${i}`);
  return coupon.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function buildProduct(ctx: CatalogContext, p: number): StripeObject {
  const spec = PRODUCTS[p];
  if (!spec) throw new Error(`no product ${p}`);
  const firstPrice = PLANS.findIndex((plan) => plan.product === p) * CURRENCIES.length;
  return {
    id: productId(ctx, p), object: 'product', active: true, created: ctx.created + p, default_price: priceId(ctx, firstPrice),
    description: spec.description, images: [], livemode: false, marketing_features: [], metadata: {}, name: spec.name,
    package_dimensions: null, shippable: null, statement_descriptor: null, tax_code: null, tax_details: null,
    type: 'service', unit_label: PLANS.some((plan) => plan.product === p && plan.seats) ? 'seat' : null,
    updated: ctx.created + p, url: null,
  };
}

function tiers(priceIdx: number): StripeObject[] | undefined {
  const { plan, currency } = planOfPrice(priceIdx);
  return plan.tiers?.map((t) => {
    const unit = localAmount(t.unitAmountGbp, currency);
    const flat = localAmount(t.flatAmountGbp, currency);
    return { flat_amount: flat, flat_amount_decimal: String(flat), unit_amount: unit, unit_amount_decimal: String(unit), up_to: t.upTo };
  });
}

export function buildPrice(ctx: CatalogContext, i: number): StripeObject {
  const { plan, planIdx, currency } = planOfPrice(i);
  const unit = plan.tiers ? null : localAmount(plan.unitAmountGbp, currency);
  const price: StripeObject = {
    id: priceId(ctx, i), object: 'price', active: true, billing_scheme: plan.tiers ? 'tiered' : 'per_unit',
    created: ctx.created + 10 + i, currency, custom_unit_amount: null, livemode: false,
    lookup_key: `${plan.nickname.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${currency}`, metadata: {},
    nickname: plan.nickname, product: productId(ctx, plan.product),
    recurring: { interval: plan.interval, interval_count: plan.intervalCount, meter: null, trial_period_days: planIdx === 0 ? 14 : null, usage_type: 'licensed' },
    tax_behavior: 'exclusive', tiers_mode: plan.tiers ? 'volume' : null, transform_quantity: null, type: 'recurring',
    unit_amount: unit, unit_amount_decimal: unit === null ? null : String(unit),
  };
  const t = tiers(i);
  if (t) price['tiers'] = t;
  if (currency === 'gbp' && MULTI_CURRENCY_PLANS.includes(planIdx)) price['currency_options'] = currencyOptions(planIdx);
  return price;
}

/** Every currency's amounts for a multi-currency plan, the price's own included (as Stripe lists it). */
function currencyOptions(planIdx: number): StripeObject {
  const out: StripeObject = {};
  for (const c of CURRENCIES) {
    const i = priceIndex(planIdx, c);
    const { plan } = planOfPrice(i);
    const unit = plan.tiers ? null : localAmount(plan.unitAmountGbp, c);
    const option: StripeObject = { custom_unit_amount: null, tax_behavior: 'exclusive', unit_amount: unit, unit_amount_decimal: unit === null ? null : String(unit) };
    const t = tiers(i);
    if (t) option['tiers'] = t;
    out[c] = option;
  }
  return out;
}

/** The legacy Plan object Stripe still embeds in subscription items. */
export function buildPlan(ctx: CatalogContext, i: number): StripeObject {
  const { plan, currency } = planOfPrice(i);
  const unit = plan.tiers ? null : localAmount(plan.unitAmountGbp, currency);
  const out: StripeObject = {
    id: priceId(ctx, i), object: 'plan', active: true, amount: unit, amount_decimal: unit === null ? null : String(unit),
    billing_scheme: plan.tiers ? 'tiered' : 'per_unit', created: ctx.created + 10 + i, currency, interval: plan.interval,
    interval_count: plan.intervalCount, livemode: false, metadata: {}, meter: null, nickname: plan.nickname,
    product: productId(ctx, plan.product), tiers_mode: plan.tiers ? 'volume' : null, transform_usage: null,
    trial_period_days: null, usage_type: 'licensed',
  };
  const t = tiers(i);
  if (t) out['tiers'] = t;
  return out;
}

export function buildCoupon(ctx: CatalogContext, i: number, timesRedeemed: number): StripeObject {
  const spec = COUPONS[i];
  if (!spec) throw new Error(`no coupon ${i}`);
  const amountOff = spec.amountOffGbp;
  const options = amountOff === null ? {} : { currency_options: Object.fromEntries(CURRENCIES.map((c) => [c, { amount_off: localAmount(amountOff, c) }])) };
  return {
    ...options,
    id: couponId(i), object: 'coupon', amount_off: spec.amountOffGbp, created: ctx.created + 100 + i,
    currency: spec.amountOffGbp === null ? null : 'gbp', duration: spec.duration, duration_in_months: spec.durationInMonths,
    livemode: false, max_redemptions: null, metadata: {}, name: spec.name, percent_off: spec.percentOff, redeem_by: null,
    times_redeemed: timesRedeemed, valid: true,
  };
}

export const PRODUCT_COUNT = PRODUCTS.length;
export const COUPON_COUNT = COUPONS.length;
export { PRICE_COUNT };
