/**
 * Input shapes of the metrics engine: a normalised, Stripe-derived view of the data that a sync layer can fill
 * from stored Stripe objects and their history. Times are Unix epoch **seconds** (as Stripe sends them); money
 * is integer **minor units** (pence, cents, yen) unless a field says it is a decimal string.
 */

export type Interval = 'day' | 'week' | 'month' | 'year';

export interface Recurring {
  interval: Interval;
  /** number of intervals between invoices (Stripe `interval_count`), ≥ 1 */
  interval_count: number;
  /** metered prices are usage-based and excluded from MRR (as Stripe and ProfitWell do) */
  usage_type?: 'licensed' | 'metered';
}

export interface PriceTier {
  /** inclusive upper bound of the tier in units; `null` or 'inf' for the last tier */
  up_to: number | 'inf' | null;
  unit_amount?: number | null;
  /** decimal string in minor units; takes precedence over unit_amount when present */
  unit_amount_decimal?: string | null;
  flat_amount?: number | null;
  flat_amount_decimal?: string | null;
}

/** A price's amounts in one more currency (Stripe `currency_options[currency]`). */
export interface PriceCurrencyOption {
  unit_amount?: number | null;
  unit_amount_decimal?: string | null;
  /** for a tiered price: the tiers in this currency (same modes and bounds, other amounts) */
  tiers?: PriceTier[];
}

export interface PriceInput {
  id: string;
  product?: string;
  currency: string;
  /** null/absent for one-off prices: those items never count towards MRR */
  recurring: Recurring | null;
  billing_scheme?: 'per_unit' | 'tiered';
  unit_amount?: number | null;
  unit_amount_decimal?: string | null;
  tiers?: PriceTier[];
  tiers_mode?: 'graduated' | 'volume';
  /**
   * Amounts in other currencies, keyed by currency code (any case): a subscription in one of them is billed
   * from its entry instead of `unit_amount` / `tiers` (Stripe multi-currency prices).
   */
  currency_options?: Record<string, PriceCurrencyOption>;
  transform_quantity?: { divide_by: number; round: 'up' | 'down' } | null;
  metadata?: Record<string, string>;
}

export interface SubscriptionItemInput {
  id?: string;
  price: PriceInput;
  /** defaults to 1 */
  quantity?: number;
}

export type CouponDuration = 'once' | 'repeating' | 'forever';

export interface CouponInput {
  id: string;
  /** decimal percent, e.g. 25 or "33.3" */
  percent_off?: number | string | null;
  /** fixed amount per invoice in minor units of `currency` */
  amount_off?: number | null;
  currency?: string | null;
  /** `amount_off` in other currencies, keyed by currency code (any case), for subscriptions billed in them */
  currency_options?: Record<string, { amount_off: number }>;
  duration: CouponDuration;
  duration_in_months?: number | null;
}

/** A discount (coupon applied) with the window Stripe reports for it. */
export interface DiscountInput {
  id?: string;
  coupon: CouponInput;
  /** when the discount was applied */
  start: number;
  /**
   * when it stops applying (Stripe sets it for `repeating`); when absent the engine derives it:
   * once → one billing interval after start, repeating → start + duration_in_months, forever → never.
   */
  end?: number | null;
}

export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'unpaid'
  | 'canceled'
  | 'paused';

/**
 * The state of a subscription from `validFrom` until the next version's `validFrom` (or for ever).
 * A sync layer builds versions from `customer.subscription.*` events (each event's `data.object` at its
 * `created` time) and, for history before events are retained, from invoice line items (price, quantity and
 * period of each invoice). A price change, quantity change, added/removed item, coupon, status change or a
 * scheduled cancellation is simply a new version.
 */
export interface SubscriptionVersion {
  validFrom: number;
  status: SubscriptionStatus;
  items: SubscriptionItemInput[];
  /** subscription-level discounts attached in this version; if none is active the customer's apply */
  discounts?: DiscountInput[];
  trial_start?: number | null;
  trial_end?: number | null;
  cancel_at_period_end?: boolean;
  /** a scheduled cancellation time (Stripe `cancel_at`) */
  cancel_at?: number | null;
  /** when the cancellation was requested (Stripe `canceled_at`) */
  canceled_at?: number | null;
  ended_at?: number | null;
  current_period_end?: number | null;
  /** collection paused: no revenue from `pause_collection` set until `resumes_at` (or for ever if null) */
  pause_collection?: { behavior?: string; resumes_at?: number | null } | null;
}

export interface SubscriptionInput {
  id: string;
  customerId: string;
  /** Stripe account the subscription belongs to (several accounts may be combined) */
  accountId?: string;
  currency: string;
  livemode?: boolean;
  metadata?: Record<string, string>;
  versions: SubscriptionVersion[];
}

export interface CustomerInput {
  id: string;
  accountId?: string;
  livemode?: boolean;
  metadata?: Record<string, string>;
  /** customer-level discounts; apply to a subscription only while it has no active discount of its own */
  discounts?: DiscountInput[];
  country?: string;
  created?: number;
}

/** FX rate: reporting-currency major units per one major unit of `currency`, valid from `date` (org calendar day). */
export interface FxRateInput {
  currency: string;
  /** YYYY-MM-DD */
  date: string;
  rate: string | number;
}

/** A payment attempt on an invoice (from `invoice.payment_failed` / `invoice.payment_succeeded` / charges). */
export interface PaymentAttemptInput {
  at: number;
  succeeded: boolean;
}

export interface InvoiceInput {
  id: string;
  customerId: string;
  accountId?: string;
  livemode?: boolean;
  currency: string;
  amount_due: number;
  attempts: PaymentAttemptInput[];
}

/**
 * A balance-transaction-like cash movement. Charge and refund amounts are positive, `type` says which way they
 * go; a dispute's amount is what it withdrew (negative for a reversal, when a won dispute's money comes back).
 */
export interface CashTransactionInput {
  id: string;
  customerId?: string;
  accountId?: string;
  livemode?: boolean;
  type: 'charge' | 'refund' | 'dispute';
  currency: string;
  amount: number;
  /** processing fee in minor units of `currency` (fees on refunds may be negative when Stripe returns them) */
  fee: number;
  created: number;
}
