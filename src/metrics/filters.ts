/**
 * Organisation settings that remove data before any figure is computed: test-mode objects, internal or test
 * customers and plans (by id or Stripe metadata), and accounts outside the organisation's selection.
 */
import type { CustomerInput, SubscriptionInput, SubscriptionItemInput } from './types.js';
import type { EngineOptions } from './options.js';

/** Customers of different Stripe accounts may share an id; the key keeps them apart when accounts are combined. */
export function customerKey(accountId: string | undefined, customerId: string): string {
  return accountId ? `${accountId}/${customerId}` : customerId;
}

function metadataMatches(meta: Record<string, string> | undefined, rules: Record<string, string> | undefined): boolean {
  if (!meta || !rules) return false;
  return Object.entries(rules).some(([k, v]) => meta[k] === v);
}

function accountAllowed(accountId: string | undefined, options: EngineOptions): boolean {
  return !options.accounts || (accountId !== undefined && options.accounts.includes(accountId));
}

function isTestObject(livemode: boolean | undefined, options: EngineOptions): boolean {
  return Boolean(options.exclude.testMode) && livemode === false;
}

export function isCustomerExcluded(c: CustomerInput, options: EngineOptions): boolean {
  const ex = options.exclude;
  return (
    !accountAllowed(c.accountId, options) ||
    isTestObject(c.livemode, options) ||
    (ex.customerIds?.includes(c.id) ?? false) ||
    metadataMatches(c.metadata, ex.customerMetadata)
  );
}

export function isItemExcluded(it: SubscriptionItemInput, options: EngineOptions): boolean {
  const ex = options.exclude;
  const ids = ex.planIds ?? [];
  return ids.includes(it.price.id) || (it.price.product !== undefined && ids.includes(it.price.product)) || metadataMatches(it.price.metadata, ex.planMetadata);
}

/** The subscription without excluded plan items, or null when the whole subscription is out of scope. */
export function filterSubscription(sub: SubscriptionInput, options: EngineOptions): SubscriptionInput | null {
  if (!accountAllowed(sub.accountId, options) || isTestObject(sub.livemode, options)) return null;
  const ex = options.exclude;
  if (!ex.planIds?.length && !ex.planMetadata) return sub;
  return { ...sub, versions: sub.versions.map((v) => ({ ...v, items: v.items.filter((it) => !isItemExcluded(it, options)) })) };
}

export interface CustomerBundle {
  key: string;
  customer: CustomerInput;
  subscriptions: SubscriptionInput[];
}

/**
 * Group subscriptions under their customers after exclusions. A subscription whose customer row is missing
 * still counts (with an empty customer), because MRR must not vanish when a customer row lags behind.
 */
export function groupByCustomer(
  customers: readonly CustomerInput[],
  subscriptions: readonly SubscriptionInput[],
  options: EngineOptions,
): CustomerBundle[] {
  const bundles = new Map<string, CustomerBundle>();
  const excluded = new Set<string>();
  for (const c of customers) {
    const key = customerKey(c.accountId, c.id);
    if (isCustomerExcluded(c, options)) excluded.add(key);
    else bundles.set(key, { key, customer: c, subscriptions: [] });
  }
  for (const s of subscriptions) {
    const key = customerKey(s.accountId, s.customerId);
    if (excluded.has(key) || (options.exclude.customerIds?.includes(s.customerId) ?? false)) continue;
    const filtered = filterSubscription(s, options);
    if (!filtered) continue;
    let b = bundles.get(key);
    if (!b) {
      const customer: CustomerInput = { id: s.customerId };
      if (s.accountId !== undefined) customer.accountId = s.accountId;
      bundles.set(key, (b = { key, customer, subscriptions: [] }));
    }
    b.subscriptions.push(filtered);
  }
  return [...bundles.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
