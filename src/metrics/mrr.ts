/**
 * Monthly recurring revenue of one subscription at an instant, in the subscription's currency (exact, minor
 * units). Every rule about what counts lives here: statuses, trials, pauses, cancellations, one-off and metered
 * items, discounts.
 */
import type { DiscountInput, SubscriptionInput, SubscriptionItemInput, SubscriptionVersion } from './types.js';
import type { EngineOptions } from './options.js';
import { applicableDiscounts, applyDiscounts, discountEnd, type BillingInterval } from './discounts.js';
import { monthlyFactor } from './normalise.js';
import { add, mul, ZERO, type Rational } from './rational.js';
import { priceAmount, priceInCurrency } from './tiers.js';

/** A subscription whose versions are sorted by `validFrom` (see `prepareSubscription`). */
export interface PreparedSubscription extends SubscriptionInput {
  readonly prepared: true;
}

/** Sort versions by time so input order never matters; two versions at the same instant are ambiguous. */
export function prepareSubscription(sub: SubscriptionInput): PreparedSubscription {
  if (sub.versions.length === 0) throw new RangeError(`subscription ${sub.id} has no versions`);
  const versions = [...sub.versions].sort((a, b) => a.validFrom - b.validFrom);
  for (let i = 1; i < versions.length; i++) {
    // Stryker disable next-line OptionalChaining: i runs from 1 to length − 1, so both elements exist
    if (versions[i]?.validFrom === versions[i - 1]?.validFrom) {
      // Stryker disable next-line OptionalChaining: versions[i] exists (see the loop bounds)
      throw new RangeError(`subscription ${sub.id} has two versions valid from ${versions[i]?.validFrom}`);
    }
  }
  return { ...sub, versions, prepared: true };
}

/** The version in force at `t` (the last one whose validFrom ≤ t), if the subscription existed yet. */
export function versionAt(sub: PreparedSubscription, t: number): SubscriptionVersion | undefined {
  let lo = 0;
  let hi = sub.versions.length - 1;
  let found: SubscriptionVersion | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sub.versions[mid];
    if (v && v.validFrom <= t) {
      found = v;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Items that are recurring revenue: recurring and licensed (one-off and metered items never count). */
export function recurringItems(v: SubscriptionVersion): SubscriptionItemInput[] {
  return v.items.filter((it) => it.price.recurring !== null && it.price.recurring !== undefined && it.price.recurring.usage_type !== 'metered');
}

/** The interval a fixed-amount discount is spread over: the first recurring item's (Stripe bills one cycle). */
export function billingIntervalOf(v: SubscriptionVersion): BillingInterval | null {
  const r = recurringItems(v)[0]?.price.recurring;
  return r ? { interval: r.interval, interval_count: r.interval_count } : null;
}

/**
 * Whether the subscription version is earning recurring revenue at `t`. active and past_due count (a failing
 * card is not yet churn); trialing, incomplete, unpaid, canceled and paused do not; nor a paused collection.
 */
export function isEarning(v: SubscriptionVersion, t: number, options: EngineOptions): boolean {
  if (v.status !== 'active' && v.status !== 'past_due') return false;
  if (v.trial_end !== undefined && v.trial_end !== null && t < v.trial_end) return false;
  const pause = v.pause_collection;
  if (pause && (pause.resumes_at === undefined || pause.resumes_at === null || t < pause.resumes_at)) return false;
  if (v.ended_at !== undefined && v.ended_at !== null && t >= v.ended_at) return false;
  const scheduled = Boolean(v.cancel_at_period_end) || (v.cancel_at !== undefined && v.cancel_at !== null);
  if (options.cancellation === 'cancel-request') {
    // Stripe-like: churn is recognised once a cancellation is on the books, even if the period is paid up
    if (scheduled && t >= (v.canceled_at ?? v.validFrom)) return false;
  } else {
    if (v.cancel_at !== undefined && v.cancel_at !== null && t >= v.cancel_at) return false;
    if (v.cancel_at_period_end && v.current_period_end !== undefined && v.current_period_end !== null && t >= v.current_period_end) {
      return false;
    }
  }
  return true;
}

/**
 * Monthly amount before discounts: Σ items price(quantity) × monthly factor of the item's interval, each price
 * in the subscription's currency (its currency_options entry when it is in another).
 */
export function grossMonthly(v: SubscriptionVersion, currency: string): Rational {
  let total = ZERO;
  for (const it of recurringItems(v)) {
    const r = it.price.recurring;
    if (!r) continue;
    // A price in another currency bills from its currency_options entry (or throws when it has none).
    const price = priceInCurrency(it.price, currency);
    total = add(total, mul(priceAmount(price, it.quantity ?? 1), monthlyFactor(r.interval, r.interval_count)));
  }
  return total;
}

/** MRR of a subscription at instant `t`, in its own currency, exact. */
export function subscriptionMrrAt(
  sub: PreparedSubscription,
  t: number,
  customerDiscounts: readonly DiscountInput[],
  options: EngineOptions,
): Rational {
  const v = versionAt(sub, t);
  if (!v || !isEarning(v, t, options)) return ZERO;
  const billing = billingIntervalOf(v);
  const gross = grossMonthly(v, sub.currency);
  const discounts = applicableDiscounts(v.discounts ?? [], customerDiscounts, t, billing, options.discountDurations);
  return applyDiscounts(gross, discounts, sub.currency, billing);
}

/**
 * Every instant at which this subscription's MRR may change. Between two consecutive breakpoints MRR is
 * constant, so evaluating at breakpoints only is exact (and fast).
 */
export function subscriptionBreakpoints(sub: PreparedSubscription, customerDiscounts: readonly DiscountInput[]): number[] {
  const out: number[] = [];
  const push = (x: number | null | undefined): void => {
    if (x !== undefined && x !== null && Number.isFinite(x)) out.push(x);
  };
  for (const v of sub.versions) {
    push(v.validFrom);
    push(v.trial_end);
    push(v.cancel_at);
    push(v.canceled_at);
    push(v.ended_at);
    push(v.current_period_end);
    push(v.pause_collection?.resumes_at);
    const billing = billingIntervalOf(v);
    for (const d of [...(v.discounts ?? []), ...customerDiscounts]) {
      push(d.start);
      push(discountEnd(d, billing));
    }
  }
  return out;
}
