import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createGuardedSdk, createStripeReader } from './client.js';
import { GuardedHttpClient, isAllowed, StripeWriteRefused } from './guarded-http-client.js';
import { createRateLimiter, endpointKey, isTestModeToken, RateLimiters } from './rate-limiter.js';
import { retryDelayMs } from './retry-policy.js';

describe('read-only guard', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ business: 'small', seed: 3, rateLimitPerSecond: null });
  });
  afterAll(async () => emulator?.close());

  it('refuses a write at the lowest layer before anything is sent', async () => {
    const client = new GuardedHttpClient({ policy: 'read-only' });
    const url = new URL(emulator.url);
    emulator.store.log.reset();
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH']) {
      await expect(client.makeRequest(url.hostname, url.port, '/v1/charges', method, {}, 'amount=100&currency=gbp', 'http', 5000))
        .rejects.toBeInstanceOf(StripeWriteRefused);
    }
    // …and through the SDK itself, had any Mowt code reached it.
    const sdk = createGuardedSdk({ apiBase: emulator.url, token: 'rk_test_guardKey1234' });
    // The SDK wraps what its HTTP client throws; the refusal is its cause.
    const refusal = (e: unknown) => ((e as { detail?: unknown }).detail ?? e) as Error;
    await expect(sdk.charges.create({ amount: 100, currency: 'gbp' }).catch((e: unknown) => Promise.reject(refusal(e)))).rejects.toThrow(/Mowt only reads/);
    await expect(sdk.customers.del('cus_x').catch((e: unknown) => Promise.reject(refusal(e)))).rejects.toThrow(/Mowt only reads/);
    expect(emulator.store.log.all()).toEqual([]);
  });

  it('lets the read client read and keeps OAuth token calls to the OAuth client', async () => {
    const reader = createStripeReader({ apiBase: emulator.url, token: 'rk_test_guardKey1234' });
    expect((await reader.list('customers', { limit: 2 })).data).toHaveLength(2);
    expect(isAllowed('read-only', 'POST', '/v1/oauth/token')).toBe(false);
    expect(isAllowed('read-only', 'GET', '/v1/oauth/authorize')).toBe(false);
    expect(isAllowed('oauth', 'POST', '/v1/oauth/token')).toBe(true);
    expect(isAllowed('oauth', 'POST', '/v1/oauth/deauthorize')).toBe(true);
    expect(isAllowed('oauth', 'POST', '/v1/charges')).toBe(false);
    expect(isAllowed('oauth', 'GET', '/v1/customers')).toBe(false);
  });
});

describe('rate limiter and retry policy', () => {
  /** A virtual clock: sleeping moves time on, so the limiter's schedule is checked exactly, not timed. */
  const virtualClock = () => {
    const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => { clock.t += ms; } };
    return clock;
  };

  it('never lets more than the rate plus the burst through in any one-second window, and does not idle', async () => {
    const clock = virtualClock();
    const limiter = createRateLimiter(50, { burst: 2, clock });
    const stamps: number[] = [];
    await Promise.all(Array.from({ length: 130 }, async () => {
      await limiter.acquire();
      stamps.push(clock.now());
    }));
    for (const start of stamps) expect(stamps.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(52);
    // Fed continuously it sends at the full rate: the 130th request leaves 129 intervals of 20 ms after the first.
    expect(stamps[0]).toBe(0);
    expect(stamps.at(-1)).toBeCloseTo(2580, 6);
  });

  it('after idling catches up with at most its burst, then spaces requests at the rate', async () => {
    const clock = virtualClock();
    const limiter = createRateLimiter(10, { burst: 3, clock });
    await limiter.acquire();
    clock.t = 10_000;
    const stamps: number[] = [];
    for (let i = 0; i < 6; i++) {
      await limiter.acquire();
      stamps.push(clock.now());
    }
    expect(stamps.map((t) => Math.round(t - 10_000))).toEqual([0, 0, 0, 100, 200, 300]);
    expect(createRateLimiter(90).burst).toBe(4);
    expect(() => createRateLimiter(90, { burst: 0 })).toThrow(RangeError);
  });

  it('holds one endpoint to its own limit while the account allows more, and gives test-mode keys their lower rate', async () => {
    const clock = virtualClock();
    const limiters = new RateLimiters({ livePerSecond: 95, testPerSecond: 23, endpointPerSecond: 24 }, undefined, clock);
    const live = limiters.for('conn_1', 'live');
    // 30 pages of one list, one after another: the endpoint's 24/s (≈41.7 ms apart after its first token) governs.
    const oneEndpoint: number[] = [];
    for (let i = 0; i < 30; i++) {
      await live.acquire(`/v1/invoices?limit=100&starting_after=in_${'A'.repeat(14)}${i}`);
      oneEndpoint.push(clock.now());
    }
    expect(oneEndpoint.at(-1)! - oneEndpoint[0]!).toBeGreaterThanOrEqual(29 * (1000 / 24) - 1);
    // Spread over four endpoints the account's 95/s governs instead.
    const start = clock.now() + 1000;
    clock.t = start;
    const spread: number[] = [];
    for (let i = 0; i < 40; i++) {
      await live.acquire(['/v1/customers', '/v1/subscriptions', '/v1/charges', '/v1/refunds'][i % 4]);
      spread.push(clock.now() - start);
    }
    expect(spread.at(-1)!).toBeLessThan(40 * (1000 / 95) + 1);
    expect(spread.at(-1)!).toBeGreaterThan(30 * (1000 / 95));
    // A test-mode key of the same connection gets Stripe's 25/s sandbox allowance (23 here).
    const test = limiters.for('conn_1', 'test');
    expect(test.perSecond).toBe(23);
    expect(limiters.for('conn_1', 'live')).toBe(live);
  });

  it('names endpoints as Stripe counts them and spots test-mode keys', () => {
    expect(endpointKey('/v1/customers/cus_R2x9Kq81LmPz?expand[]=default_source')).toBe('/v1/customers/:id');
    expect(endpointKey('/v1/customers/cus_Other99Zz')).toBe(endpointKey('/v1/customers/cus_R2x9Kq81LmPz'));
    expect(endpointKey('/v1/customers?limit=100')).toBe('/v1/customers');
    expect(endpointKey('/v1/invoices')).not.toBe(endpointKey('/v1/invoices/in_1Abcdefgh'));
    expect(isTestModeToken('rk_test_abc123')).toBe(true);
    expect(isTestModeToken('sk_test_abc123')).toBe(true);
    expect(isTestModeToken('rk_live_abc123')).toBe(false);
    expect(isTestModeToken('rk_test_oa0123')).toBe(true);
  });

  it('keeps a sync under the emulator’s own limit: no 429s at 90/s against 100/s', async () => {
    const emulator = await startEmulator({ business: 'small', seed: 3, rateLimitPerSecond: 100 });
    try {
      const reader = createStripeReader({ apiBase: emulator.url, token: 'rk_test_guardKey1234', limiter: createRateLimiter(90), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
      await Promise.all(Array.from({ length: 200 }, () => reader.list('products', { limit: 1 })));
      expect(emulator.store.log.all().filter((r) => r.status === 429)).toEqual([]);
    } finally {
      await emulator.close();
    }
  }, 10_000);

  it('backs off exponentially with jitter and honours Retry-After', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 5000 };
    expect(retryDelayMs(policy, 0, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(policy, 3, undefined, () => 1)).toBe(800);
    expect(retryDelayMs(policy, 10, undefined, () => 1)).toBe(5000);
    expect(retryDelayMs(policy, 0, '2', () => 0)).toBe(2000);
  });
});
