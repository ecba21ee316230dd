// Mowt's Stripe client: the official SDK, pointed by host/port/protocol at MOWT_STRIPE_API_BASE (the
// emulator) or api.stripe.com, over the guarded HTTP client. Mowt code only ever sees StripeReader —
// list and retrieve — and even if it reached the SDK underneath, a write would be refused in-process.
import Stripe from 'stripe';
import { GuardedHttpClient, type GuardOptions } from './guarded-http-client.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RetryPolicy } from './retry-policy.js';

export type StripeObject = Record<string, unknown> & { id: string };

export interface Page {
  data: StripeObject[];
  has_more: boolean;
}

export const LIST_TYPES = [
  'customers', 'products', 'prices', 'coupons', 'subscriptions', 'invoices', 'charges', 'refunds', 'disputes', 'balance_transactions', 'events',
] as const;
export type ListType = (typeof LIST_TYPES)[number];

export interface ListParams {
  limit?: number;
  starting_after?: string;
  created?: { gt?: number; gte?: number; lt?: number; lte?: number };
}

export interface StripeReader {
  list(type: ListType, params: ListParams): Promise<Page>;
  retrieve(type: ListType, id: string): Promise<StripeObject>;
  listInvoiceLines(invoiceId: string, startingAfter?: string): Promise<Page>;
  account(): Promise<{ id: string; name: string | null; livemode: boolean; created: number | null }>;
}

export interface ApiTarget {
  host: string;
  port: string;
  protocol: 'http' | 'https';
}

/** Parses MOWT_STRIPE_API_BASE (or Stripe's own origin when unset). */
export function apiTarget(base: string | undefined): ApiTarget {
  const url = new URL(base ?? 'https://api.stripe.com');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? '80' : '443'), protocol };
}

export interface ReaderOptions {
  apiBase?: string;
  /** Restricted key or OAuth access token. */
  token: string;
  limiter?: RateLimiter;
  retry?: RetryPolicy;
  onAttempt?: GuardOptions['onAttempt'];
  timeoutMs?: number;
}

/** The SDK instance under a reader; exported for the guard's own tests, not for Mowt code. */
export function createGuardedSdk(opts: ReaderOptions): Stripe {
  const target = apiTarget(opts.apiBase);
  return new Stripe(opts.token, {
    host: target.host,
    port: target.port,
    protocol: target.protocol,
    httpClient: new GuardedHttpClient({ policy: 'read-only', limiter: opts.limiter, retry: opts.retry, onAttempt: opts.onAttempt }),
    // Retries happen in the guarded client, where every attempt passes the rate limiter.
    maxNetworkRetries: 0,
    telemetry: false,
    timeout: opts.timeoutMs ?? 30_000,
  });
}

type ListFn = (params: Record<string, unknown>) => Promise<{ data: unknown[]; has_more: boolean }>;
type RetrieveFn = (id: string, params?: Record<string, unknown>) => Promise<unknown>;

/**
 * Stripe's "includable" fields, absent unless expanded by name: a tiered price's `tiers` and a price's or
 * amount_off coupon's `currency_options` (the amounts a subscription in another currency pays). MRR needs
 * both, so every list and retrieve of these types asks for them (`data.<field>` on a list).
 */
export const INCLUDABLE_FIELDS: Partial<Record<ListType, readonly string[]>> = {
  prices: ['tiers', 'currency_options'],
  coupons: ['currency_options'],
};

export function createStripeReader(opts: ReaderOptions): StripeReader {
  const sdk = createGuardedSdk(opts);
  const resources: Record<ListType, { list: ListFn; retrieve: RetrieveFn }> = {
    customers: sdk.customers as never,
    products: sdk.products as never,
    prices: sdk.prices as never,
    coupons: sdk.coupons as never,
    subscriptions: sdk.subscriptions as never,
    invoices: sdk.invoices as never,
    charges: sdk.charges as never,
    refunds: sdk.refunds as never,
    disputes: sdk.disputes as never,
    balance_transactions: sdk.balanceTransactions as never,
    events: sdk.events as never,
  };
  const asPage = (list: { data: unknown[]; has_more: boolean }): Page => ({ data: list.data as StripeObject[], has_more: list.has_more });
  return {
    async list(type, params) {
      const resource = resources[type];
      // Subscriptions default to hiding canceled ones; analytics needs them all.
      const extra: Record<string, unknown> = type === 'subscriptions' ? { status: 'all' } : {};
      const include = INCLUDABLE_FIELDS[type];
      if (include) extra['expand'] = include.map((f) => `data.${f}`);
      return asPage(await resource.list.call(resource, { limit: 100, ...params, ...extra }));
    },
    async retrieve(type, id) {
      const resource = resources[type];
      const include = INCLUDABLE_FIELDS[type];
      const object = include ? await resource.retrieve.call(resource, id, { expand: [...include] }) : await resource.retrieve.call(resource, id);
      return object as StripeObject;
    },
    async listInvoiceLines(invoiceId, startingAfter) {
      return asPage(await sdk.invoices.listLineItems(invoiceId, { limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }));
    },
    async account() {
      const account = await sdk.accounts.retrieveCurrent();
      const name = account.business_profile?.name ?? account.settings?.dashboard?.display_name ?? null;
      return { id: account.id, name, livemode: opts.token.includes('_live_'), created: typeof account.created === 'number' ? account.created : null };
    },
  };
}

/** `rk_test_…abcd`: enough to recognise a key, never enough to use it. */
export function maskToken(token: string): string {
  const prefix = /^[a-z]+_(test|live)_/.exec(token)?.[0] ?? token.slice(0, 3);
  return `${prefix}…${token.slice(-4)}`;
}
