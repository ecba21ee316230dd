/**
 * Trial conversion: of the trials that ended during [from, to] (org calendar days) and by `asOf`, how many
 * turned into a paying subscription (MRR > 0 at any moment from the trial end up to `asOf`).
 */
import type { CustomerInput, SubscriptionInput } from './types.js';
import type { EngineOptions } from './options.js';
import { dayEnd, dayOf } from './calendar.js';
import { groupByCustomer } from './filters.js';
import { prepareSubscription, subscriptionBreakpoints, subscriptionMrrAt } from './mrr.js';
import { ratio, type Ratio } from './ratio.js';

export interface TrialConversion {
  trials: number;
  converted: number;
  rate: Ratio;
  /** ids of the subscriptions counted, for drill-down */
  convertedIds: string[];
  notConvertedIds: string[];
}

/** The trial end of a subscription: the trial_end of its last version that had one. */
export function trialEndOf(sub: SubscriptionInput): number | null {
  let end: number | null = null;
  for (const v of [...sub.versions].sort((a, b) => a.validFrom - b.validFrom)) {
    if (v.trial_end !== undefined && v.trial_end !== null) end = v.trial_end;
  }
  return end;
}

export function trialConversion(
  customers: readonly CustomerInput[],
  subscriptions: readonly SubscriptionInput[],
  from: string,
  to: string,
  options: EngineOptions,
  asOf?: number,
): TrialConversion {
  const tz = options.timezone;
  const horizon = asOf ?? dayEnd(to, tz);
  const convertedIds: string[] = [];
  const notConvertedIds: string[] = [];
  for (const b of groupByCustomer(customers, subscriptions, options)) {
    const discounts = b.customer.discounts ?? [];
    for (const s of b.subscriptions) {
      const end = trialEndOf(s);
      if (end === null) continue;
      const day = dayOf(end, tz);
      if (day < from || day > to) continue;
      // a trial still running at `asOf` has had no chance to convert: counting it as lost would understate the
      // rate of a period read before its end (this month, today)
      if (end > horizon) continue;
      const p = prepareSubscription(s);
      const times = [end, ...subscriptionBreakpoints(p, discounts).filter((t) => t >= end && t <= horizon)];
      const paid = times.some((t) => subscriptionMrrAt(p, t, discounts, options).n > 0n);
      (paid ? convertedIds : notConvertedIds).push(s.id);
    }
  }
  const trials = convertedIds.length + notConvertedIds.length;
  return { trials, converted: convertedIds.length, rate: ratio(convertedIds.length, trials), convertedIds, notConvertedIds };
}
