// Changes tests can make to an account, each recorded as the event Stripe would emit.
import type { StripeObject } from '../generator/types.js';
import { errors } from '../http/errors.js';
import { withoutIncludable } from '../generator/includable.js';
import type { AccountStore } from '../store/account-store.js';

type Item = { price: StripeObject; plan: StripeObject; quantity?: number; current_period_end: number };

function subscription(store: AccountStore, id: string): StripeObject {
  const found = store.retrieve('subscription', id);
  if (!found) throw errors.missing('subscription', id);
  return structuredClone(found);
}

function firstItem(sub: StripeObject): Item {
  const item = (sub['items'] as { data: Item[] }).data[0];
  if (!item) throw errors.badRequest('Subscription has no items');
  return item;
}

export function cancelSubscription(store: AccountStore, id: string, atPeriodEnd: boolean, now: number): StripeObject {
  const sub = subscription(store, id);
  if (sub['status'] === 'canceled') throw errors.badRequest(`Subscription ${id} is already canceled.`);
  sub['canceled_at'] = now;
  sub['cancellation_details'] = { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' };
  if (atPeriodEnd) {
    const previous = { cancel_at_period_end: sub['cancel_at_period_end'], cancel_at: sub['cancel_at'], canceled_at: null };
    sub['cancel_at_period_end'] = true;
    sub['cancel_at'] = firstItem(sub).current_period_end;
    store.replace(sub);
    return store.addEvent('customer.subscription.updated', sub, previous);
  }
  sub['status'] = 'canceled';
  sub['ended_at'] = now;
  store.replace(sub);
  return store.addEvent('customer.subscription.deleted', sub);
}

export function updateSubscription(store: AccountStore, id: string, change: { quantity?: number; price?: string }): StripeObject {
  const sub = subscription(store, id);
  const item = firstItem(sub);
  const previousItem: Record<string, unknown> = {};
  if (change.quantity !== undefined) {
    if (!Number.isInteger(change.quantity) || change.quantity < 1) throw errors.invalidParam('quantity', 'quantity must be a positive integer');
    previousItem['quantity'] = item.quantity;
    item.quantity = change.quantity;
  }
  if (change.price !== undefined) {
    const price = store.retrieve('price', change.price);
    if (!price) throw errors.missing('price', change.price, 'price');
    const options = (price['currency_options'] ?? {}) as Record<string, unknown>;
    if (price['currency'] !== sub['currency'] && !(String(sub['currency']) in options)) {
      throw errors.badRequest('The price currency must match the subscription currency.', 'price');
    }
    previousItem['price'] = item.price;
    // Embedded prices carry no includable fields (tiers, currency_options), as in Stripe.
    item.price = withoutIncludable(price);
    const recurring = price['recurring'] as { interval: string; interval_count: number };
    item.plan = { ...item.plan, id: price['id'], amount: price['unit_amount'], amount_decimal: price['unit_amount_decimal'], interval: recurring.interval, interval_count: recurring.interval_count, nickname: price['nickname'], product: price['product'] };
  }
  store.replace(sub);
  return store.addEvent('customer.subscription.updated', sub, { items: { data: [previousItem] } });
}

export function pauseSubscription(store: AccountStore, id: string, resumesAt: number | null): StripeObject {
  const sub = subscription(store, id);
  const previous = { pause_collection: sub['pause_collection'] };
  sub['pause_collection'] = { behavior: 'void', resumes_at: resumesAt };
  store.replace(sub);
  return store.addEvent('customer.subscription.updated', sub, previous);
}

export function resumeSubscription(store: AccountStore, id: string): StripeObject {
  const sub = subscription(store, id);
  const previous = { pause_collection: sub['pause_collection'] };
  sub['pause_collection'] = null;
  store.replace(sub);
  return store.addEvent('customer.subscription.updated', sub, previous);
}

/** An event about any existing object, with its current state (e.g. to replay `invoice.paid`). */
export function createEvent(store: AccountStore, type: string, objectId: string): StripeObject {
  const object = store.resolve(objectId);
  if (!object) throw errors.missing('object', objectId, 'object');
  return store.addEvent(type, withoutIncludable(object));
}
