// Behaviour of the read-only v1 API as seen through the official SDK.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index.js';
import type { LoggedRequest, RunningEmulator } from './index.js';

const NOW = () => new Date('2026-06-01T12:00:00Z');
const KEY = 'rk_test_apitests0000001234';
let emulator: RunningEmulator;
let stripe: Stripe;

const client = (em: RunningEmulator, key = KEY, extra: Partial<Stripe.StripeConfig> = {}): Stripe =>
  new Stripe(key, { host: '127.0.0.1', port: em.port, protocol: 'http', maxNetworkRetries: 0, ...extra });

beforeAll(async () => {
  emulator = await startEmulator({ business: 'small', seed: 5, rateLimitPerSecond: null, now: NOW });
  stripe = client(emulator);
});
afterAll(async () => {
  await emulator.close();
});

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of list) out.push(item);
  return out;
}

describe('pagination', () => {
  it('auto-pagination returns every object exactly once, newest first', async () => {
    const invoices = await all(stripe.invoices.list({ limit: 7 }));
    const expected = emulator.store.accounts.store(emulator.accountId).business.indexes.get('invoice')?.size;
    expect(invoices.length).toBe(expected);
    expect(new Set(invoices.map((i) => i.id)).size).toBe(invoices.length);
    for (let i = 1; i < invoices.length; i++) expect(invoices[i - 1]!.created).toBeGreaterThanOrEqual(invoices[i]!.created);
  });

  it('starting_after and ending_before walk the same order both ways', async () => {
    const first = await stripe.customers.list({ limit: 5 });
    expect(first.object).toBe('list');
    expect(first.url).toBe('/v1/customers');
    expect(first.has_more).toBe(true);
    const second = await stripe.customers.list({ limit: 5, starting_after: first.data[4]!.id });
    const back = await stripe.customers.list({ limit: 5, ending_before: second.data[0]!.id });
    expect(back.data.map((c) => c.id)).toEqual(first.data.map((c) => c.id));
    expect(back.has_more).toBe(false);
  });

  it('created[gte]/[lt]/[lte] slices, also with starting_after, hold exactly the objects of their time span', async () => {
    const invoices = await all(stripe.invoices.list({ limit: 100 }));
    const times = invoices.map((i) => i.created);
    const lt = times[Math.floor(times.length / 3)]!;
    const gte = times[Math.floor((2 * times.length) / 3)]!;
    const slice = await all(stripe.invoices.list({ limit: 9, created: { gte, lt } }));
    expect(slice.map((i) => i.id)).toEqual(invoices.filter((i) => i.created >= gte && i.created < lt).map((i) => i.id));
    const upTo = await all(stripe.invoices.list({ limit: 9, created: { lte: lt } }));
    expect(upTo.map((i) => i.id)).toEqual(invoices.filter((i) => i.created <= lt).map((i) => i.id));
    // A cursor inside the span continues within it.
    const first = await stripe.invoices.list({ limit: 3, created: { gte, lt } });
    const rest = await all(stripe.invoices.list({ limit: 9, created: { gte, lt }, starting_after: first.data[2]!.id }));
    expect([...first.data, ...rest].map((i) => i.id)).toEqual(slice.map((i) => i.id));
  });

  it('limit must be 1..100 and cursors must exist', async () => {
    await expect(stripe.customers.list({ limit: 101 })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'limit' });
    await expect(stripe.customers.list({ limit: 0 })).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.customers.list({ starting_after: 'cus_nope' })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'starting_after' });
    expect((await stripe.customers.list()).data.length).toBe(10);
  });

  it('subscription status filters: default hides canceled, all shows them', async () => {
    const everything = await all(stripe.subscriptions.list({ status: 'all', limit: 100 }));
    const current = await all(stripe.subscriptions.list({ limit: 100 }));
    const canceled = await all(stripe.subscriptions.list({ status: 'canceled', limit: 100 }));
    expect(canceled.length).toBeGreaterThan(0);
    expect(current.every((s) => s.status !== 'canceled')).toBe(true);
    expect(current.length + canceled.length).toBe(everything.length);
    const customer = everything[0]!.customer as string;
    const theirs = await all(stripe.subscriptions.list({ customer, status: 'all' }));
    expect(theirs.every((s) => s.customer === customer)).toBe(true);
  });

  it('events filter by type, types[] and created[gt]', async () => {
    const paid = await all(stripe.events.list({ type: 'invoice.paid', limit: 100 }));
    expect(paid.length).toBeGreaterThan(0);
    expect(paid.every((e) => e.type === 'invoice.paid')).toBe(true);
    const subEvents = await all(stripe.events.list({ types: ['customer.subscription.created', 'customer.subscription.deleted'], limit: 100 }));
    expect(subEvents.every((e) => e.type.startsWith('customer.subscription.'))).toBe(true);
    const cutoff = paid[Math.floor(paid.length / 2)]!.created;
    const later = await all(stripe.events.list({ created: { gt: cutoff }, limit: 100 }));
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((e) => e.created > cutoff)).toBe(true);
  });
});

describe('objects', () => {
  it('expand replaces ids by objects, in lists and on retrieve', async () => {
    const subs = await stripe.subscriptions.list({ status: 'all', limit: 3, expand: ['data.customer', 'data.items.data.price.product'] });
    const sub = subs.data[0]!;
    expect((sub.customer as Stripe.Customer).object).toBe('customer');
    expect((sub.items.data[0]!.price.product as Stripe.Product).object).toBe('product');
    const one = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect((one.latest_invoice as Stripe.Invoice).object).toBe('invoice');
  });

  it('objects have Stripe-shaped ids, unix timestamps, minor units and lowercase currencies', async () => {
    const charge = (await stripe.charges.list({ limit: 1 })).data[0]!;
    expect(charge.id).toMatch(/^ch_[A-Za-z0-9]{14,}$/);
    expect(Number.isInteger(charge.amount)).toBe(true);
    expect(charge.currency).toMatch(/^(gbp|usd|eur)$/);
    expect(charge.created).toBeLessThan(2 ** 32);
    expect(charge.livemode).toBe(false);
    expect(Object.keys(charge.payment_method_details?.card ?? {})).not.toContain('number');
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(txn.fee).toBeGreaterThan(0);
    expect(txn.fee_details[0]?.type).toBe('stripe_fee');
    expect(txn.currency).toBe('gbp');
    if (charge.currency !== 'gbp') expect(txn.exchange_rate).toBeGreaterThan(0);
  });

  it('includable fields (price tiers and currency_options, coupon currency_options) come only when expanded by name', async () => {
    const plain = await stripe.prices.list({ limit: 100 });
    expect(plain.data.length).toBeGreaterThan(0);
    for (const p of plain.data) {
      expect(p).not.toHaveProperty('tiers');
      expect(p).not.toHaveProperty('currency_options');
    }
    const full = await stripe.prices.list({ limit: 100, expand: ['data.tiers', 'data.currency_options'] });
    const tiered = full.data.find((p) => p.billing_scheme === 'tiered')!;
    expect(tiered.tiers?.length).toBeGreaterThan(0);
    const multi = full.data.find((p) => p.currency_options !== undefined)!;
    expect(multi.currency).toBe('gbp');
    expect(Object.keys(multi.currency_options ?? {}).sort()).toEqual(['eur', 'gbp', 'usd']);
    // Only what was named: tiers alone, then retrieve by the field's own name.
    const tiersOnly = await stripe.prices.list({ limit: 100, expand: ['data.tiers'] });
    expect(tiersOnly.data.some((p) => p.currency_options !== undefined)).toBe(false);
    expect((await stripe.prices.retrieve(tiered.id)).tiers).toBeUndefined();
    expect((await stripe.prices.retrieve(tiered.id, { expand: ['tiers'] })).tiers).toEqual(tiered.tiers);
    expect((await stripe.prices.retrieve(multi.id, { expand: ['currency_options'] })).currency_options).toEqual(multi.currency_options);
    const amountOff = (await stripe.coupons.list({ limit: 100, expand: ['data.currency_options'] })).data.find((c) => c.amount_off !== null)!;
    expect(amountOff.currency_options?.['usd']?.amount_off).toBeGreaterThan(0);
    expect((await stripe.coupons.retrieve(amountOff.id)).currency_options).toBeUndefined();
    // Embedded copies (subscription items, expanded references) never carry them.
    const subs = await stripe.subscriptions.list({ status: 'all', limit: 100, expand: ['data.items.data.price'] });
    const items = subs.data.flatMap((x) => x.items.data);
    expect(items.some((i) => i.price.billing_scheme === 'tiered')).toBe(true);
    for (const i of items) {
      expect(i.price.tiers).toBeUndefined();
      expect(i.plan.tiers).toBeUndefined();
    }
  });

  it('unknown ids are 404 resource_missing', async () => {
    await expect(stripe.customers.retrieve('cus_doesnotexist')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', type: 'StripeInvalidRequestError' });
  });
});

describe('auth, permissions and the request log', () => {
  it('a bad key is a StripeAuthenticationError', async () => {
    await expect(client(emulator, 'sk_live_nope').customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('non-GET requests are refused with a StripePermissionError and logged with a masked key', async () => {
    await fetch(`${emulator.url}/_emulator/requests/reset`, { method: 'POST' });
    await expect(stripe.charges.create({ amount: 500, currency: 'gbp' })).rejects.toBeInstanceOf(Stripe.errors.StripePermissionError);
    await expect(stripe.customers.del('cus_x')).rejects.toBeInstanceOf(Stripe.errors.StripePermissionError);
    const log = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as { data: LoggedRequest[] };
    const writes = log.data.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/v1/charges', 403], ['DELETE', '/v1/customers/cus_x', 403]]);
    expect(writes[0]!.key).toBe('rk_test_…1234');
    expect(JSON.stringify(log)).not.toContain(KEY);
  });

  it('Stripe-Account selects a connected account with its own data; unknown accounts are refused', async () => {
    const accounts = emulator.store.accounts.specs;
    const connected = accounts[1]!.id;
    const mine = await stripe.customers.list({ limit: 3 });
    const theirs = await stripe.customers.list({ limit: 3 }, { stripeAccount: connected });
    expect(theirs.data[0]!.id).not.toBe(mine.data[0]!.id);
    expect((await stripe.accounts.retrieveCurrent(undefined, { stripeAccount: connected })).id).toBe(connected);
    await expect(stripe.customers.list({}, { stripeAccount: 'acct_unknown' })).rejects.toBeInstanceOf(Stripe.errors.StripePermissionError);
  });
});

describe('rate limit and faults', () => {
  it('answers 429 rate_limit above the per-second limit', async () => {
    const limited = await startEmulator({ business: 'empty', seed: 1, rateLimitPerSecond: 20, now: NOW });
    try {
      const started = performance.now();
      const statuses = await Promise.all(Array.from({ length: 40 }, () =>
        fetch(`${limited.url}/v1/customers?limit=1`, { headers: { authorization: `Bearer ${KEY}` } }).then(async (r) => {
          const body = (await r.json()) as { error?: { code?: string } };
          return r.status === 429 ? body.error?.code : r.status;
        })));
      const seconds = (performance.now() - started) / 1000;
      const ok = statuses.filter((s) => s === 200).length;
      expect(ok + statuses.filter((s) => s === 'rate_limit').length).toBe(40);
      // All 40 inside one second: exactly 20 pass. On a loaded machine the burst can straddle windows:
      // then at most 20 per started second pass.
      if (seconds < 1) expect(ok).toBe(20);
      else expect(ok).toBeLessThanOrEqual(20 * Math.ceil(seconds));
      expect(ok).toBeGreaterThanOrEqual(20);
      // The SDK sees a 429 as its rate-limit error (a second burst of 25 meets the limit again).
      const results = await Promise.all(Array.from({ length: 25 }, () => client(limited).customers.list().then(() => null, (e: unknown) => e)));
      expect(results.some((e) => e instanceof Stripe.errors.StripeRateLimitError)).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('injects seeded, reproducible 500s, 429s and connection resets', async () => {
    const outcomes = async (): Promise<string[]> => {
      const faulty = await startEmulator({ business: 'empty', seed: 9, rateLimitPerSecond: null, now: NOW, faults: { error500Rate: 0.2, error429Rate: 0.1, resetRate: 0.1 } });
      try {
        const out: string[] = [];
        for (let i = 0; i < 60; i++) {
          out.push(await fetch(`${faulty.url}/v1/customers`, { headers: { authorization: `Bearer ${KEY}` } })
            .then((r) => String(r.status), () => 'reset'));
        }
        return out;
      } finally {
        await faulty.close();
      }
    };
    const first = await outcomes();
    expect(first).toContain('500');
    expect(first).toContain('429');
    expect(first).toContain('reset');
    expect(first).toContain('200');
    expect(await outcomes()).toEqual(first);
  });
});

describe('determinism and retention', () => {
  it('the same seed gives byte-identical data; another seed does not', async () => {
    const dump = async (seed: number): Promise<string> => {
      const em = await startEmulator({ business: 'small', seed, rateLimitPerSecond: null, now: NOW });
      try {
        const s = client(em);
        return JSON.stringify([await all(s.customers.list({ limit: 100 })), await all(s.invoices.list({ limit: 100 })), await all(s.events.list({ limit: 100 }))]);
      } finally {
        await em.close();
      }
    };
    const a = await dump(21);
    expect(await dump(21)).toBe(a);
    expect(await dump(22)).not.toBe(a);
  });

  it('lists events of the last 30 days only, also as the clock advances', async () => {
    const now = Math.floor(NOW().getTime() / 1000);
    const events = await all(stripe.events.list({ limit: 100 }));
    expect(events.length).toBeGreaterThan(0);
    expect(Math.min(...events.map((e) => e.created))).toBeGreaterThanOrEqual(now - 30 * 86400);
    const em = await startEmulator({ business: 'small', seed: 5, rateLimitPerSecond: null, now: NOW });
    try {
      const oldest = events[events.length - 1]!;
      await fetch(`${em.url}/_emulator/time/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 10 * 86400 }) });
      const later = await all(client(em).events.list({ limit: 100 }));
      expect(later.length).toBeLessThan(events.length);
      expect(later.every((e) => e.created >= now + 10 * 86400 - 30 * 86400)).toBe(true);
      await expect(client(em).events.retrieve(oldest.id)).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await em.close();
    }
  });
});
