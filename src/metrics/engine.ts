/**
 * Full recompute for an organisation: exclusions → per-customer series → org daily aggregates.
 */
import type { CustomerInput, FxRateInput, SubscriptionInput } from './types.js';
import { resolveOptions, type EngineOptions, type EngineOptionsInput } from './options.js';
import { buildFxTable, type FxTable } from './fx.js';
import { groupByCustomer } from './filters.js';
import { customerSeries, type CustomerSeries } from './series.js';
import { aggregate, type OrgAggregates } from './aggregate.js';

export interface OrgInput {
  customers: readonly CustomerInput[];
  subscriptions: readonly SubscriptionInput[];
  fxRates?: readonly FxRateInput[];
  /** first and last calendar day (org timezone) of the daily series, inclusive */
  from: string;
  to: string;
}

export interface OrgResult {
  options: EngineOptions;
  fx: FxTable;
  /** keyed by customer key (account/customer when accounts are combined) */
  customers: Map<string, CustomerSeries>;
  aggregates: OrgAggregates;
}

export function computeOrg(input: OrgInput, optionsInput: EngineOptionsInput | EngineOptions = {}): OrgResult {
  const options = resolveOptions(optionsInput as EngineOptionsInput);
  const fx = buildFxTable(input.fxRates ?? [], options.reportingCurrency);
  const customers = new Map<string, CustomerSeries>();
  for (const b of groupByCustomer(input.customers, input.subscriptions, options)) {
    customers.set(b.key, customerSeries(b.customer, b.subscriptions, { from: input.from, to: input.to }, fx, options));
  }
  const aggregates = aggregate(options.reportingCurrency, input.from, input.to, customers.values());
  return { options, fx, customers, aggregates };
}
