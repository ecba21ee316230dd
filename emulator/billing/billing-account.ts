// Mowt's OWN Stripe account, as far as self-serve billing needs it: Checkout Sessions (mode subscription)
// and Customer Portal sessions created over the API, the customers and subscriptions that completing
// Checkout creates, renewals (which an admin mutation can make fail), and the billing events, signed and
// sent to the configured endpoint. This account is reached only with `sk_test_billing_…` keys; the
// customers' accounts of the emulator stay strictly read-only.
import { randomBytes } from 'node:crypto';
import type { StripeObject } from '../generator/types.js';
import { Webhooks } from '../webhooks/endpoints.js';

export const BILLING_KEY = /^sk_test_billing_[A-Za-z0-9_]{4,}$/;
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const PERIOD_DAYS = { month: 30, year: 365 } as const;
const DAY = 86_400;

export interface LineItemInput {
  price?: string;
  quantity: number;
  price_data?: { currency: string; unit_amount: number; recurring: { interval: 'month' | 'year' }; product_data?: { name?: string; metadata?: Record<string, string> } };
}

export interface CheckoutSession extends StripeObject {
  id: string;
  object: 'checkout.session';
  url: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  mode: 'subscription';
  customer: string | null;
  customer_email: string | null;
  client_reference_id: string | null;
  subscription: string | null;
  currency: string;
  amount_subtotal: number;
  amount_total: number;
  total_details: { amount_tax: number };
  automatic_tax: { enabled: boolean; status: string | null };
  tax_id_collection: { enabled: boolean };
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string;
  line: { name: string; unit_amount: number; interval: 'month' | 'year'; price: string };
  subscription_metadata: Record<string, string>;
  created: number;
}

export interface Subscription extends StripeObject {
  id: string;
  object: 'subscription';
  customer: string;
  status: 'active' | 'past_due' | 'canceled';
  metadata: Record<string, string>;
  current_period_start: number;
  current_period_end: number;
  cancel_at_period_end: boolean;
  items: { object: 'list'; data: StripeObject[] };
  latest_invoice: string | null;
}

export interface PortalSession extends StripeObject {
  id: string;
  object: 'billing_portal.session';
  customer: string;
  return_url: string;
  url: string;
  created: number;
  livemode: false;
}

export class BillingAccount {
  readonly sessions = new Map<string, CheckoutSession>();
  readonly portalSessions = new Map<string, PortalSession>();
  readonly customers = new Map<string, StripeObject>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly invoices = new Map<string, StripeObject>();
  readonly events: StripeObject[] = [];
  readonly webhooks: Webhooks;
  /** Subscriptions whose next renewal fails ('*' = any). */
  readonly failNext = new Set<string>();

  constructor(private readonly now: () => number) {
    this.webhooks = new Webhooks(now);
  }

  createCheckoutSession(params: Record<string, unknown>, origin: string): CheckoutSession {
    if (params.mode !== 'subscription') throw new Error('mode must be subscription');
    const items = Array.isArray(params.line_items) ? (params.line_items as Record<string, unknown>[]) : [];
    const first = items[0];
    if (!first) throw new Error('line_items is required');
    const pd = (first.price_data ?? {}) as Record<string, unknown>;
    const recurring = (pd.recurring ?? {}) as Record<string, unknown>;
    const interval = recurring.interval === 'year' ? 'year' : 'month';
    const unit = Number(pd.unit_amount ?? 0);
    if (!first.price && !(unit > 0)) throw new Error('line_items[0] needs a price or price_data.unit_amount');
    const product = (pd.product_data ?? {}) as Record<string, unknown>;
    if (typeof params.success_url !== 'string' || typeof params.cancel_url !== 'string') throw new Error('success_url and cancel_url are required');
    const sid = id('cs_test');
    const currency = String(params.currency ?? pd.currency ?? 'gbp');
    const automaticTax = ((params.automatic_tax ?? {}) as Record<string, unknown>).enabled === 'true';
    const session: CheckoutSession = {
      id: sid,
      object: 'checkout.session',
      url: `${origin}/_emulator/checkout/${sid}`,
      status: 'open',
      payment_status: 'unpaid',
      mode: 'subscription',
      customer: typeof params.customer === 'string' ? params.customer : null,
      customer_email: typeof params.customer_email === 'string' ? params.customer_email : null,
      client_reference_id: typeof params.client_reference_id === 'string' ? params.client_reference_id : null,
      subscription: null,
      currency,
      amount_subtotal: unit,
      // UK VAT at 20% when automatic tax is on (the emulator's customers are all in the UK).
      amount_total: automaticTax ? Math.round(unit * 1.2) : unit,
      total_details: { amount_tax: automaticTax ? Math.round(unit * 0.2) : 0 },
      automatic_tax: { enabled: automaticTax, status: automaticTax ? 'complete' : null },
      tax_id_collection: { enabled: ((params.tax_id_collection ?? {}) as Record<string, unknown>).enabled === 'true' },
      metadata: (params.metadata ?? {}) as Record<string, string>,
      success_url: params.success_url,
      cancel_url: params.cancel_url,
      line: { name: String(product.name ?? 'Subscription'), unit_amount: unit, interval, price: typeof first.price === 'string' ? first.price : id('price') },
      subscription_metadata: (((params.subscription_data ?? {}) as Record<string, unknown>).metadata ?? {}) as Record<string, string>,
      created: this.now(),
    };
    this.sessions.set(sid, session);
    return session;
  }

  createPortalSession(params: Record<string, unknown>, origin: string): PortalSession {
    const customer = String(params.customer ?? '');
    if (!this.customers.has(customer)) throw new Error(`No such customer: '${customer}'`);
    const pid = id('bps_test');
    const session: PortalSession = { id: pid, object: 'billing_portal.session', customer, return_url: String(params.return_url ?? ''), url: `${origin}/_emulator/portal/${pid}`, created: this.now(), livemode: false };
    this.portalSessions.set(pid, session);
    return session;
  }

  private emit(type: string, object: StripeObject): StripeObject {
    const event = { id: id('evt'), object: 'event', type, created: this.now(), livemode: false, api_version: '2026-10-28.endive', data: { object: structuredClone(object) } };
    this.events.push(event);
    return event;
  }

  private invoice(sub: Subscription, paid: boolean): StripeObject {
    const item = sub.items.data[0] as { price: { unit_amount: number } } | undefined;
    const amount = item?.price.unit_amount ?? 0;
    const inv = {
      id: id('in'), object: 'invoice', customer: sub.customer, subscription: sub.id, status: paid ? 'paid' : 'open', currency: 'gbp',
      amount_due: Math.round(amount * 1.2), amount_paid: paid ? Math.round(amount * 1.2) : 0, tax: Math.round(amount * 0.2),
      lines: { object: 'list', data: [{ id: id('il'), period: { start: sub.current_period_start, end: sub.current_period_end } }] },
      created: this.now(),
    };
    this.invoices.set(inv.id, inv);
    sub.latest_invoice = inv.id;
    return inv;
  }

  /** The hosted page's "Pay": customer + active subscription, then the events Stripe sends. */
  async pay(sessionId: string): Promise<CheckoutSession> {
    const s = this.sessions.get(sessionId);
    if (!s || s.status !== 'open') throw new Error('this Checkout Session is no longer open');
    const now = this.now();
    const customerId = s.customer ?? id('cus');
    if (!this.customers.has(customerId)) this.customers.set(customerId, { id: customerId, object: 'customer', email: s.customer_email, created: now, livemode: false });
    const subId = id('sub');
    const sub: Subscription = {
      id: subId, object: 'subscription', customer: customerId, status: 'active', metadata: s.subscription_metadata, cancel_at_period_end: false,
      current_period_start: now, current_period_end: now + PERIOD_DAYS[s.line.interval] * DAY, latest_invoice: null,
      items: { object: 'list', data: [{ id: id('si'), object: 'subscription_item', price: { id: s.line.price, object: 'price', unit_amount: s.line.unit_amount, currency: s.currency, recurring: { interval: s.line.interval } }, quantity: 1 }] },
    };
    this.subscriptions.set(subId, sub);
    Object.assign(s, { status: 'complete', payment_status: 'paid', customer: customerId, subscription: subId });
    const inv = this.invoice(sub, true);
    await this.send([this.emit('checkout.session.completed', s), this.emit('customer.subscription.created', sub), this.emit('invoice.paid', inv)]);
    return s;
  }

  /** A renewal now: paid (period moves on) or, when marked to fail, payment_failed + past_due. */
  async renew(subscriptionId: string): Promise<Subscription> {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub || sub.status === 'canceled') throw new Error(`No such active subscription: '${subscriptionId}'`);
    const fail = this.failNext.delete(subscriptionId) || this.failNext.delete('*');
    const length = sub.current_period_end - sub.current_period_start;
    if (fail) {
      sub.status = 'past_due';
      const inv = this.invoice(sub, false);
      await this.send([this.emit('invoice.payment_failed', inv), this.emit('customer.subscription.updated', sub)]);
    } else {
      sub.current_period_start = sub.current_period_end;
      sub.current_period_end = sub.current_period_start + length;
      sub.status = 'active';
      const inv = this.invoice(sub, true);
      await this.send([this.emit('invoice.paid', inv), this.emit('customer.subscription.updated', sub)]);
    }
    return sub;
  }

  /** The portal's "Update payment method": a working card; an open past-due invoice is paid at once. */
  async fixPaymentMethod(customerId: string): Promise<void> {
    for (const sub of this.subscriptions.values()) {
      if (sub.customer !== customerId) continue;
      this.failNext.delete(sub.id);
      if (sub.status === 'past_due') {
        sub.status = 'active';
        const inv = this.invoice(sub, true);
        await this.send([this.emit('invoice.paid', inv), this.emit('customer.subscription.updated', sub)]);
      }
    }
  }

  async cancel(customerId: string): Promise<void> {
    for (const sub of this.subscriptions.values()) {
      if (sub.customer !== customerId || sub.status === 'canceled') continue;
      sub.status = 'canceled';
      await this.send([this.emit('customer.subscription.deleted', sub)]);
    }
  }

  private async send(events: StripeObject[]): Promise<void> {
    await this.webhooks.deliver(events);
  }
}
