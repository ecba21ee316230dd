/**
 * Incremental update: when a webhook changes one subscription, recompute only that customer's series and
 * produce the delta to add to the stored org-level daily aggregates.
 */
import type { CustomerInput, SubscriptionInput } from './types.js';
import type { EngineOptions } from './options.js';
import type { FxTable } from './fx.js';
import { groupByCustomer } from './filters.js';
import { customerSeries, type CustomerSeries } from './series.js';
import { seriesDelta, type OrgDelta } from './aggregate.js';

export interface CustomerUpdate {
  customer: CustomerInput;
  /** all of the customer's subscriptions after the change */
  subscriptions: readonly SubscriptionInput[];
  /** the series currently included in the stored aggregates (null if the customer was not there) */
  previous: CustomerSeries | null;
  range: { from: string; to: string };
}

export interface CustomerUpdateResult {
  /** the new series to store (null when the customer is now excluded) */
  series: CustomerSeries | null;
  delta: OrgDelta;
}

export function recomputeCustomer(update: CustomerUpdate, fx: FxTable, options: EngineOptions): CustomerUpdateResult {
  const bundle = groupByCustomer([update.customer], update.subscriptions, options)[0];
  const series = bundle ? customerSeries(bundle.customer, bundle.subscriptions, update.range, fx, options) : null;
  if (!series && !update.previous) {
    return { series: null, delta: { from: update.range.from, to: update.range.to, opening: { mrr: 0, payingCustomers: 0 }, days: [] } };
  }
  return { series, delta: seriesDelta(options.reportingCurrency, update.previous, series) };
}
