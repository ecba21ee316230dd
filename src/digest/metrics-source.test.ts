// The digest's figures and movement lines read from the real analytics tables of a synced business, with the
// customers' names decrypted from the synced Stripe customers (checked against the emulator through the SDK).
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_KEY, startAnalyticsApp, type AnalyticsApp } from '../analytics/test-support.js';
import { customerLabel } from './digest-emails.js';
import { analyticsMetricsSource } from './metrics-source.js';

describe('analytics metrics source (PGlite, the emulator\'s small business)', () => {
  let env: AnalyticsApp;
  let stripe: Stripe;

  beforeAll(async () => {
    env = await startAnalyticsApp('pglite', { business: 'small', seed: 7 });
    const url = new URL(env.emulator.url);
    stripe = new Stripe(RESTRICTED_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http' });
  }, 300_000);
  afterAll(async () => env?.dispose());

  it('names the customers behind the largest movements and keeps their ids', async () => {
    const source = analyticsMetricsSource(env.t.db, env.app.services.crypto);
    const period = await source.period(env.org.id, '2025-01-01', '2026-10-31');
    expect(period).not.toBeNull();
    expect(period!.notable.length).toBeGreaterThan(0);
    for (const n of period!.notable) {
      const customer = await stripe.customers.retrieve(n.customerId);
      expect('deleted' in customer && customer.deleted).toBeFalsy();
      const name = (customer as Stripe.Customer).name;
      expect(n.customerName).toBe(name ?? null);
      expect(customerLabel(n)).toBe(name ? `${name} (${n.customerId})` : n.customerId);
    }
  });

  it('names the customers of movement notifications, and leaves names out without the key service', async () => {
    const named = await analyticsMetricsSource(env.t.db, env.app.services.crypto).movementsSince(env.org.id, '2026-01-01', 20);
    expect(named.movements.length).toBeGreaterThan(0);
    // The Stripe id alone, not the analytics key (account/customer) it is stored under.
    expect(named.movements.every((m) => /^cus_\w+$/.test(m.customerId))).toBe(true);
    expect(named.movements.filter((m) => m.customerName).length).toBeGreaterThan(0);
    const anonymous = await analyticsMetricsSource(env.t.db).movementsSince(env.org.id, '2026-01-01', 20);
    expect(anonymous.movements.map((m) => m.customerId)).toEqual(named.movements.map((m) => m.customerId));
    expect(anonymous.movements.every((m) => !m.customerName)).toBe(true);
  });

  it('says nothing for an organisation analytics has not computed', async () => {
    const other = crypto.randomUUID();
    expect(await analyticsMetricsSource(env.t.db, env.app.services.crypto).period(other, '2026-10-01', '2026-10-31')).toBeNull();
  });
});
