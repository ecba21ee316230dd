/**
 * Public face of the revenue-analytics engine (pure functions, no I/O). See docs/metrics.md for every rule.
 */
export type * from './types.js';
export { MOWT_DEFAULT, STRIPE_PRESET, PRESETS, resolveOptions } from './options.js';
export type { EngineOptions, EngineOptionsInput, ExclusionRules, PresetName } from './options.js';

export { computeOrg } from './engine.js';
export type { OrgInput, OrgResult } from './engine.js';
export { recomputeCustomer } from './incremental.js';
export type { CustomerUpdate, CustomerUpdateResult } from './incremental.js';

export { customerSeries, expandDays, pointOn } from './series.js';
export type { CustomerSeries, CustomerPoint, CustomerDay } from './series.js';
export { subscriptionMrrAt, prepareSubscription, isEarning, grossMonthly } from './mrr.js';
export type { PreparedSubscription } from './mrr.js';
export { priceAmount, billedQuantity, forCurrency, priceInCurrency } from './tiers.js';
export { monthlyFactor } from './normalise.js';
export { applyDiscounts, applicableDiscounts, discountEnd } from './discounts.js';
export { classifyChange, movementTotal, MOVEMENT_KINDS } from './movements.js';
export type { Movements, MovementKind, CustomerEvent } from './movements.js';

export { aggregate, accumulator, accumulate, finish, seriesDelta, applyDelta, rollup, orgDayOn, emptyAggregates } from './aggregate.js';
export type { OrgAggregates, OrgDay, OrgDelta, PeriodRow, Granularity, Accumulator } from './aggregate.js';

export { buildFxTable, rateOn, minorUnitExponent, MissingFxRateError } from './fx.js';
export type { FxTable } from './fx.js';
export { customerKey, groupByCustomer } from './filters.js';

export { summary, arpa, arr } from './kpis.js';
export type { Summary } from './kpis.js';
export { customerChurnRate, grossMrrChurnRate, netMrrChurnRate, revenueRetention } from './churn.js';
export { ltv } from './ltv.js';
export type { Ltv } from './ltv.js';
export { trialConversion } from './trials.js';
export type { TrialConversion } from './trials.js';
export { failedPayments } from './payments.js';
export type { FailedPayments } from './payments.js';
export { cashSummary, refunds } from './cash.js';
export type { CashSummary } from './cash.js';
export { cohorts } from './cohorts.js';
export type { Cohort, CohortCell } from './cohorts.js';
export type { Ratio } from './ratio.js';
export type { Rational } from './rational.js';
export { roundHalfEven, parseDecimal } from './rational.js';
export { movementsBehind } from './drilldown.js';
export type { MovementLine } from './drilldown.js';

// Calendar helpers, breakpoints and field lists the materialisation layer (src/analytics) reuses so that its
// days and periods are exactly the engine's.
export { dayOf, dayEnd, dayStart, addDays, daysBetween, weekStart, monthStart, monthEnd, addMonthsToDate } from './calendar.js';
export { subscriptionBreakpoints } from './mrr.js';
export { trialEndOf } from './trials.js';
export { ORG_FIELDS } from './aggregate.js';
export type { OrgField } from './aggregate.js';
export { recordExcluded, excludedCustomerKeys } from './payments.js';
export { isCustomerExcluded, filterSubscription } from './filters.js';
export { toReporting, minorFactor } from './fx.js';
export { ratio } from './ratio.js';
export { versionAt, recurringItems } from './mrr.js';
export { add, mul, div, rat, fromInt, ZERO } from './rational.js';
