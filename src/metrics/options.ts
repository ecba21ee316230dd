/**
 * Engine conventions. Vendors disagree on a few rules; each is an option here so a customer can reconcile
 * Mowt's figure with another tool's and see which rule makes the difference.
 */

export interface ExclusionRules {
  customerIds?: string[];
  /** exclude customers whose metadata has any of these key/value pairs, e.g. { internal: 'true' } */
  customerMetadata?: Record<string, string>;
  /** exclude items whose price id or product id is listed */
  planIds?: string[];
  /** exclude items whose price metadata has any of these key/value pairs */
  planMetadata?: Record<string, string>;
  /** drop test-mode objects (`livemode === false`) */
  testMode?: boolean;
}

export interface EngineOptions {
  /** ISO currency every figure is reported in */
  reportingCurrency: string;
  /** IANA timezone whose calendar days the daily series uses */
  timezone: string;
  /** which coupon durations reduce MRR */
  discountDurations: { once: boolean; repeating: boolean; forever: boolean };
  /**
   * when a cancellation removes MRR:
   * - 'period-end': at `ended_at`, at `cancel_at`, or at `current_period_end` when `cancel_at_period_end`
   * - 'cancel-request': as soon as a cancellation is scheduled (`canceled_at`, else the version's `validFrom`)
   */
  cancellation: 'period-end' | 'cancel-request';
  exclude: ExclusionRules;
  /** only these Stripe accounts (all when absent); several accounts are combined into one organisation */
  accounts?: string[];
  /** LTV lifetime cap in months, used when churn is 0 or tiny */
  ltvMaxLifetimeMonths: number;
}

/**
 * Mowt default (ProfitWell-like): every active discount is subtracted, and a subscription cancelled "at period
 * end" keeps its MRR until the period it has paid for ends.
 */
export const MOWT_DEFAULT: EngineOptions = Object.freeze({
  reportingCurrency: 'GBP',
  timezone: 'Europe/London',
  discountDurations: Object.freeze({ once: true, repeating: true, forever: true }),
  cancellation: 'period-end',
  exclude: Object.freeze({ testMode: true }),
  ltvMaxLifetimeMonths: 60,
}) as EngineOptions;

/**
 * Stripe Billing dashboard defaults: only `forever` coupons reduce MRR, and a cancelled subscription stops
 * counting when the cancellation happens (not at the end of the paid period). See docs/metrics.md.
 */
export const STRIPE_PRESET: EngineOptions = Object.freeze({
  ...MOWT_DEFAULT,
  discountDurations: Object.freeze({ once: false, repeating: false, forever: true }),
  cancellation: 'cancel-request',
}) as EngineOptions;

export const PRESETS = { mowt: MOWT_DEFAULT, stripe: STRIPE_PRESET } as const;
export type PresetName = keyof typeof PRESETS;

export type EngineOptionsInput = Partial<Omit<EngineOptions, 'discountDurations' | 'exclude'>> & {
  preset?: PresetName;
  discountDurations?: Partial<EngineOptions['discountDurations']>;
  exclude?: ExclusionRules;
};

/** Start from a preset (Mowt default when none) and override field by field. */
export function resolveOptions(input: EngineOptionsInput = {}): EngineOptions {
  const base = PRESETS[input.preset ?? 'mowt'];
  const { preset: _preset, discountDurations, exclude, ...rest } = input;
  const out: EngineOptions = {
    ...base,
    ...stripUndefined(rest),
    discountDurations: { ...base.discountDurations, ...stripUndefined(discountDurations ?? {}) },
    exclude: { ...base.exclude, ...stripUndefined(exclude ?? {}) },
  };
  // fail early on a bad timezone rather than producing silently shifted days
  new Intl.DateTimeFormat('en-CA', { timeZone: out.timezone });
  if (!/^[A-Z]{3}$/.test(out.reportingCurrency.toUpperCase())) throw new RangeError(`bad currency ${out.reportingCurrency}`);
  out.reportingCurrency = out.reportingCurrency.toUpperCase();
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
