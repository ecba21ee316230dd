// Reads the five billing events Mowt acts on out of a verified Stripe event, defensively (fields moved
// between API versions: period ends live on subscription items in newer versions, an invoice's
// subscription under parent.subscription_details). Anything else is ignored.
import type Stripe from 'stripe';
import type { BillingInterval } from './billing.table.js';
import type { BillingEvent } from './plan-state.js';
import type { PlanCatalog } from './plans.js';

export interface ParsedBillingEvent {
  event: BillingEvent;
  /** Named by our own Checkout Session (client_reference_id); otherwise found through the customer. */
  orgId: string | null;
  customerId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'object' && v && typeof (v as Obj).id === 'string' ? ((v as Obj).id as string) : null);
const date = (v: unknown): Date | null => (typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000) : null);
const interval = (v: unknown): BillingInterval | null => (v === 'month' || v === 'year' ? v : null);

function firstItem(sub: Obj): Obj {
  const items = obj(sub.items).data;
  return Array.isArray(items) && items.length > 0 ? obj(items[0]) : {};
}

function planOfSubscription(sub: Obj, catalog: PlanCatalog): { planId: string | null; interval: BillingInterval | null } {
  const meta = obj(sub.metadata);
  const price = obj(firstItem(sub).price);
  const priceId = str(price.id);
  const byPrice = priceId ? catalog.plans.find((p) => p.stripePrices?.month === priceId || p.stripePrices?.year === priceId) : undefined;
  const metaPlan = typeof meta.mowt_plan === 'string' && catalog.plans.some((p) => p.id === meta.mowt_plan) ? meta.mowt_plan : null;
  return {
    planId: byPrice?.id ?? metaPlan,
    interval: interval(obj(price.recurring).interval) ?? interval(meta.mowt_interval),
  };
}

function periodEndOf(sub: Obj): Date | null {
  return date(sub.current_period_end) ?? date(firstItem(sub).current_period_end);
}

function invoiceSubscription(inv: Obj): string | null {
  return str(inv.subscription) ?? str(obj(obj(inv.parent).subscription_details).subscription);
}

function invoicePeriodEnd(inv: Obj): Date | null {
  const lines = obj(inv.lines).data;
  const first = Array.isArray(lines) && lines.length > 0 ? obj(lines[0]) : {};
  return date(obj(first.period).end) ?? date(inv.period_end);
}

export function parseBillingEvent(event: Stripe.Event, catalog: PlanCatalog): ParsedBillingEvent | null {
  const o = obj(event.data.object);
  const customerId = str(o.customer);
  switch (event.type) {
    case 'checkout.session.completed': {
      if (o.mode !== 'subscription' || o.status !== 'complete') return null;
      const ref = typeof o.client_reference_id === 'string' && UUID.test(o.client_reference_id) ? o.client_reference_id : null;
      const subscriptionId = str(o.subscription);
      const meta = obj(o.metadata);
      const planId = typeof meta.mowt_plan === 'string' && catalog.plans.some((p) => p.id === meta.mowt_plan) ? meta.mowt_plan : null;
      const iv = interval(meta.mowt_interval);
      if (!ref || !customerId || !subscriptionId || !planId || !iv) return null;
      return { orgId: ref, customerId, event: { type: 'checkout.completed', customerId, subscriptionId, planId, interval: iv, periodEnd: null } };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated': {
      const id = str(o.id);
      if (!id || typeof o.status !== 'string') return null;
      const { planId, interval: iv } = planOfSubscription(o, catalog);
      return { orgId: null, customerId, event: { type: 'subscription.updated', subscriptionId: id, status: o.status, planId, interval: iv, periodEnd: periodEndOf(o), cancelAtPeriodEnd: o.cancel_at_period_end === true } };
    }
    case 'customer.subscription.deleted': {
      const id = str(o.id);
      if (!id) return null;
      return { orgId: null, customerId, event: { type: 'subscription.deleted', subscriptionId: id, periodEnd: periodEndOf(o) } };
    }
    case 'invoice.paid':
      return { orgId: null, customerId, event: { type: 'invoice.paid', subscriptionId: invoiceSubscription(o), periodEnd: invoicePeriodEnd(o) } };
    case 'invoice.payment_failed':
      return { orgId: null, customerId, event: { type: 'invoice.payment_failed', subscriptionId: invoiceSubscription(o) } };
    default:
      return null;
  }
}
