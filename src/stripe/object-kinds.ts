// How each synced Stripe object type maps to its table: the clear analytics columns, and whether the rest of
// the object is kept at all. Everything else, customers' names, emails and addresses included, is kept only
// in the encrypted payload, and only for the objects Mowt reads a payload of (data minimisation, below).
import type { ListType, StripeObject } from './client.js';
import { cardSummary } from './sanitise.js';

export type ObjectTable =
  | 'stripe_customers' | 'stripe_products' | 'stripe_prices' | 'stripe_coupons' | 'stripe_subscriptions' | 'stripe_invoices'
  | 'stripe_charges' | 'stripe_refunds' | 'stripe_disputes' | 'stripe_balance_transactions' | 'stripe_events';

export interface ObjectKind {
  type: ListType;
  table: ObjectTable;
  /** Stripe's `object` names that land in this table (events carry these in data.object). */
  objectNames: readonly string[];
  columns(o: StripeObject): Record<string, unknown>;
  /** The timestamptz columns besides `created`, whose values `columns` gives as unix seconds (`ts`). */
  timestampColumns: readonly string[];
  /**
   * Whether the sanitised object is kept (encrypted) besides its columns. Only where Mowt reads it: the
   * metrics engine and the customer cache read customers, prices (tiers, nicknames), coupons' currency
   * options, subscriptions, invoices and the subscription snapshots in `customer.subscription.*` events.
   * Products, charges, refunds, disputes, balance transactions and every other event are used only through
   * their columns, so the rest of them (billing details, receipt emails, shipping addresses, the personal
   * data in `customer.*` events) is not stored. A feature that needs more of those objects re-reads them
   * from Stripe with a backfill, as Stripe keeps them (events only for 30 days, and Mowt rebuilds history
   * from objects and invoices, not from events).
   */
  keepsPayload(o: StripeObject): boolean;
}

const always = (): boolean => true;
const never = (): boolean => false;
/** The event types whose payload the metrics engine reads (src/analytics/load.ts): a subscription's state at each change. */
export const SUBSCRIPTION_EVENT_PREFIX = 'customer.subscription.';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** A decimal string, also when the SDK handed it over as its Decimal object (whose JSON is Stripe's string). */
const decimal = (v: unknown): string | null => {
  if (v && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return str((v as { toJSON(): unknown }).toJSON());
  return str(v);
};
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
/**
 * A Stripe timestamp for a timestamptz column, kept as unix seconds: the write turns it into a timestamp in
 * SQL (`to_timestamp`), which costs a fraction of formatting an ISO text here and parsing it there.
 */
export const ts = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** An expandable reference: the id whether Stripe sent the id or the expanded object. */
export const ref = (v: unknown): string | null => str(v) ?? str(obj(v)?.['id']);

export const OBJECT_KINDS: readonly ObjectKind[] = [
  {
    type: 'customers', table: 'stripe_customers', objectNames: ['customer'], keepsPayload: always, timestampColumns: [],
    columns: (o) => ({ currency: str(o['currency']), delinquent: bool(o['delinquent']), country: str(obj(o['address'])?.['country']) }),
  },
  {
    type: 'products', table: 'stripe_products', objectNames: ['product'], keepsPayload: never, timestampColumns: [],
    columns: (o) => ({ name: str(o['name']), active: bool(o['active']) }),
  },
  {
    type: 'prices', table: 'stripe_prices', objectNames: ['price', 'plan'], keepsPayload: always, timestampColumns: [],
    columns: (o) => {
      const recurring = obj(o['recurring']);
      return {
        product_id: ref(o['product']), active: bool(o['active']), currency: str(o['currency']), type: str(o['type']),
        billing_scheme: str(o['billing_scheme']), tiers_mode: str(o['tiers_mode']), unit_amount: num(o['unit_amount']),
        unit_amount_decimal: decimal(o['unit_amount_decimal']), recurring_interval: str(recurring?.['interval']),
        recurring_interval_count: num(recurring?.['interval_count']), usage_type: str(recurring?.['usage_type']),
      };
    },
  },
  {
    type: 'coupons', table: 'stripe_coupons', objectNames: ['coupon'], keepsPayload: always, timestampColumns: [],
    columns: (o) => ({
      percent_off: num(o['percent_off']), amount_off: num(o['amount_off']), currency: str(o['currency']), duration: str(o['duration']),
      duration_in_months: num(o['duration_in_months']), valid: bool(o['valid']),
    }),
  },
  {
    type: 'subscriptions', table: 'stripe_subscriptions', objectNames: ['subscription'], keepsPayload: always, timestampColumns: ['start_date', 'trial_start', 'trial_end', 'cancel_at', 'canceled_at', 'ended_at', 'pause_resumes_at'],
    columns: (o) => {
      const pause = obj(o['pause_collection']);
      return {
        customer_id: ref(o['customer']), status: str(o['status']), currency: str(o['currency']), start_date: ts(o['start_date']),
        trial_start: ts(o['trial_start']), trial_end: ts(o['trial_end']), cancel_at_period_end: bool(o['cancel_at_period_end']),
        cancel_at: ts(o['cancel_at']), canceled_at: ts(o['canceled_at']), ended_at: ts(o['ended_at']),
        pause_behavior: str(pause?.['behavior']), pause_resumes_at: ts(pause?.['resumes_at']),
      };
    },
  },
  {
    type: 'invoices', table: 'stripe_invoices', objectNames: ['invoice'], keepsPayload: always, timestampColumns: ['period_start', 'period_end'],
    columns: (o) => ({
      customer_id: ref(o['customer']), subscription_id: invoiceSubscription(o), status: str(o['status']), currency: str(o['currency']),
      billing_reason: str(o['billing_reason']), amount_due: num(o['amount_due']), amount_paid: num(o['amount_paid']),
      amount_remaining: num(o['amount_remaining']), subtotal: num(o['subtotal']), total: num(o['total']),
      attempt_count: num(o['attempt_count']), period_start: ts(o['period_start']), period_end: ts(o['period_end']),
    }),
  },
  {
    type: 'charges', table: 'stripe_charges', objectNames: ['charge'], keepsPayload: never, timestampColumns: [],
    columns: (o) => {
      const card = cardSummary(obj(obj(o['payment_method_details'])?.['card']));
      return {
        customer_id: ref(o['customer']), status: str(o['status']), currency: str(o['currency']), amount: num(o['amount']),
        amount_captured: num(o['amount_captured']), amount_refunded: num(o['amount_refunded']), paid: bool(o['paid']),
        refunded: bool(o['refunded']), disputed: bool(o['disputed']), failure_code: str(o['failure_code']),
        balance_transaction_id: ref(o['balance_transaction']), card_brand: card?.brand ?? null, card_country: card?.country ?? null,
        card_last4: card?.last4 ?? null,
      };
    },
  },
  {
    type: 'refunds', table: 'stripe_refunds', objectNames: ['refund'], keepsPayload: never, timestampColumns: [],
    columns: (o) => ({
      charge_id: ref(o['charge']), status: str(o['status']), reason: str(o['reason']), currency: str(o['currency']), amount: num(o['amount']),
      balance_transaction_id: ref(o['balance_transaction']),
    }),
  },
  {
    type: 'disputes', table: 'stripe_disputes', objectNames: ['dispute'], keepsPayload: never, timestampColumns: [],
    columns: (o) => ({ charge_id: ref(o['charge']), status: str(o['status']), reason: str(o['reason']), currency: str(o['currency']), amount: num(o['amount']) }),
  },
  {
    type: 'balance_transactions', table: 'stripe_balance_transactions', objectNames: ['balance_transaction'], keepsPayload: never, timestampColumns: ['available_on'],
    columns: (o) => ({
      type: str(o['type']), reporting_category: str(o['reporting_category']), status: str(o['status']), currency: str(o['currency']),
      amount: num(o['amount']), fee: num(o['fee']), net: num(o['net']), exchange_rate: num(o['exchange_rate']), source_id: ref(o['source']),
      available_on: ts(o['available_on']),
    }),
  },
  {
    type: 'events', table: 'stripe_events', objectNames: ['event'],
    keepsPayload: (o) => typeof o['type'] === 'string' && o['type'].startsWith(SUBSCRIPTION_EVENT_PREFIX), timestampColumns: [],
    columns: (o) => {
      const target = obj(obj(o['data'])?.['object']);
      return { type: str(o['type']) ?? 'unknown', object_type: str(target?.['object']), object_id: str(target?.['id']) };
    },
  },
];

export const KIND_BY_TYPE = new Map(OBJECT_KINDS.map((k) => [k.type, k]));
export const KIND_BY_OBJECT_NAME = new Map(OBJECT_KINDS.flatMap((k) => k.objectNames.map((n) => [n, k] as const)));

export function kindOf(type: ListType): ObjectKind {
  const kind = KIND_BY_TYPE.get(type);
  if (!kind) throw new Error(`unknown Stripe object type ${type}`);
  return kind;
}

/** The subscription an invoice bills, in both the current (`parent`) and the older (`subscription`) shape. */
export function invoiceSubscription(o: Obj): string | null {
  const parent = obj(o['parent']);
  return ref(obj(parent?.['subscription_details'])?.['subscription']) ?? ref(o['subscription']);
}
