// The synced Stripe objects. Shared columns first; each table adds clear analytics columns. Money is integer
// minor units (bigint: read back as strings by node-postgres), times are timestamptz, the sanitised raw
// object is `payload_encrypted`, kept only for the objects Mowt reads one of (migration 0020: products,
// charges, refunds, disputes, balance transactions and events other than `customer.subscription.*` have
// none). Customers' personal fields are only in it.
import type { ColumnType } from 'kysely';

type BigInt = ColumnType<string | number, number | string | null, number | string | null> | null;
type Ts = ColumnType<Date, Date | string | null, Date | string | null> | null;

interface Synced {
  org_id: string;
  connection_id: string;
  id: string;
  livemode: boolean;
  created: Ts;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
  event_created: BigInt;
  synced_at: ColumnType<Date, Date | string, Date | string>;
}

/** A table whose every row keeps its encrypted payload. */
interface WithPayload extends Synced {
  payload_encrypted: string;
}

/** A table whose rows keep only their columns (events: all but `customer.subscription.*`). */
interface WithoutPayload extends Synced {
  payload_encrypted: string | null;
}

export interface StripeCustomersTable extends WithPayload {
  currency: string | null;
  delinquent: boolean | null;
  country: string | null;
}

export interface StripeProductsTable extends WithoutPayload {
  name: string | null;
  active: boolean | null;
}

export interface StripePricesTable extends WithPayload {
  product_id: string | null;
  active: boolean | null;
  currency: string | null;
  type: string | null;
  billing_scheme: string | null;
  tiers_mode: string | null;
  unit_amount: BigInt;
  unit_amount_decimal: string | null;
  recurring_interval: string | null;
  recurring_interval_count: number | null;
  usage_type: string | null;
}

export interface StripeCouponsTable extends WithPayload {
  percent_off: string | number | null;
  amount_off: BigInt;
  currency: string | null;
  duration: string | null;
  duration_in_months: number | null;
  valid: boolean | null;
}

export interface StripeSubscriptionsTable extends WithPayload {
  customer_id: string | null;
  status: string | null;
  currency: string | null;
  start_date: Ts;
  trial_start: Ts;
  trial_end: Ts;
  cancel_at_period_end: boolean | null;
  cancel_at: Ts;
  canceled_at: Ts;
  ended_at: Ts;
  pause_behavior: string | null;
  pause_resumes_at: Ts;
}

export interface StripeSubscriptionItemsTable {
  org_id: string;
  connection_id: string;
  id: string;
  subscription_id: string;
  price_id: string | null;
  quantity: number | null;
  created: Ts;
  current_period_start: Ts;
  current_period_end: Ts;
}

export interface StripeInvoicesTable extends WithPayload {
  customer_id: string | null;
  subscription_id: string | null;
  status: string | null;
  currency: string | null;
  billing_reason: string | null;
  amount_due: BigInt;
  amount_paid: BigInt;
  amount_remaining: BigInt;
  subtotal: BigInt;
  total: BigInt;
  attempt_count: number | null;
  period_start: Ts;
  period_end: Ts;
}

export interface StripeInvoiceLinesTable {
  org_id: string;
  connection_id: string;
  id: string;
  invoice_id: string;
  subscription_id: string | null;
  subscription_item_id: string | null;
  price_id: string | null;
  quantity: number | null;
  amount: BigInt;
  currency: string | null;
  proration: boolean | null;
  period_start: Ts;
  period_end: Ts;
}

export interface StripeChargesTable extends WithoutPayload {
  customer_id: string | null;
  status: string | null;
  currency: string | null;
  amount: BigInt;
  amount_captured: BigInt;
  amount_refunded: BigInt;
  paid: boolean | null;
  refunded: boolean | null;
  disputed: boolean | null;
  failure_code: string | null;
  balance_transaction_id: string | null;
  card_brand: string | null;
  card_country: string | null;
  card_last4: string | null;
}

export interface StripeRefundsTable extends WithoutPayload {
  charge_id: string | null;
  status: string | null;
  reason: string | null;
  currency: string | null;
  amount: BigInt;
  balance_transaction_id: string | null;
}

export interface StripeDisputesTable extends WithoutPayload {
  charge_id: string | null;
  status: string | null;
  reason: string | null;
  currency: string | null;
  amount: BigInt;
}

export interface StripeBalanceTransactionsTable extends WithoutPayload {
  type: string | null;
  reporting_category: string | null;
  status: string | null;
  currency: string | null;
  amount: BigInt;
  fee: BigInt;
  net: BigInt;
  exchange_rate: string | number | null;
  source_id: string | null;
  available_on: Ts;
}

export interface StripeEventsTable extends WithoutPayload {
  type: string;
  object_type: string | null;
  object_id: string | null;
  received_via: 'backfill' | 'poll' | 'webhook';
}
