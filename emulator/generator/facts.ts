// Compact facts about one customer's history. The simulation produces these; builders turn them into
// Stripe-shaped JSON only when an object is actually requested (keeps `large` cheap).
import type { Currency } from './catalog.js';

export type SubStatus = 'trialing' | 'active' | 'past_due' | 'canceled';

export interface SubFacts {
  n: number;
  created: number;
  priceIdx: number;
  quantity: number;
  itemCreated: number;
  status: SubStatus;
  trialStart: number | null;
  trialEnd: number | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  canceledAt: number | null;
  endedAt: number | null;
  cancelReason: 'cancellation_requested' | 'payment_failed' | null;
  pauseResumesAt: number | null;
  coupon: number | null;
  couponStart: number;
  anchor: number;
  periodStart: number;
  periodEnd: number;
  latestInvoice: number | null;
}

export type InvoiceStatus = 'paid' | 'open' | 'void' | 'uncollectible';

export interface InvoiceFacts {
  n: number;
  sub: number;
  created: number;
  periodStart: number;
  periodEnd: number;
  priceIdx: number;
  quantity: number;
  subtotal: number;
  discount: number;
  /** 'sub' = the subscription's coupon, 'customer' = the customer's coupon. */
  discountSource: 'sub' | 'customer' | null;
  tax: number;
  total: number;
  status: InvoiceStatus;
  paidAt: number | null;
  voidedAt: number | null;
  uncollectibleAt: number | null;
  attemptCount: number;
  nextPaymentAttempt: number | null;
  billingReason: 'subscription_create' | 'subscription_cycle';
  charges: number[];
}

export interface ChargeFacts {
  n: number;
  invoice: number;
  created: number;
  amount: number;
  succeeded: boolean;
  failureCode: string | null;
  amountRefunded: number;
  disputed: boolean;
  txn: number | null;
  bait: boolean;
}

export interface RefundFacts {
  n: number;
  charge: number;
  created: number;
  amount: number;
  txn: number;
}

export interface DisputeFacts {
  n: number;
  charge: number;
  created: number;
  amount: number;
  status: 'needs_response' | 'under_review' | 'won' | 'lost';
  txn: number;
}

export interface TxnFacts {
  n: number;
  kind: 'charge' | 'refund' | 'dispute';
  source: number;
  created: number;
  /** In the settlement currency (GBP), like Stripe's balance. */
  amount: number;
  fee: number;
  exchangeRate: number | null;
}

export type ObjectKind = 'customer' | 'subscription' | 'invoice' | 'charge' | 'refund' | 'dispute';

export interface EventFacts {
  n: number;
  type: string;
  created: number;
  kind: ObjectKind;
  ref: number;
  previous: Record<string, unknown> | null;
}

export interface CustomerFacts {
  index: number;
  created: number;
  currency: Currency;
  name: string;
  email: string;
  country: string;
  coupon: number | null;
  taxed: boolean;
  card: { brand: string; country: string; last4: string; expMonth: number; expYear: number; funding: string };
  subs: SubFacts[];
  invoices: InvoiceFacts[];
  charges: ChargeFacts[];
  refunds: RefundFacts[];
  disputes: DisputeFacts[];
  txns: TxnFacts[];
  events: EventFacts[];
}
