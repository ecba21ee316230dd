// The synthetic business: realistic variety, planted bait, and a large size that stays cheap.
import { describe, expect, it } from 'vitest';
import { PAN_BAIT } from './bait.js';
import { Business } from './business.js';
import { isLuhnValid } from './luhn.js';
import { parseEmulatorArgs, runEmulatorCli } from '../cli.js';

const NOW = Math.floor(Date.parse('2026-06-01T12:00:00Z') / 1000);
const business = (size: 'small' | 'demo' | 'large', seed = 1): Business =>
  new Business({ size, seed, now: NOW, accountId: 'acct_test', accountName: 'Test', eventRetentionDays: 30 });

describe('generator', () => {
  it('demo has ~500 customers with the variety a revenue analytics product must handle', () => {
    const b = business('demo');
    expect(b.indexes.get('customer')?.size).toBe(500);
    const facts = Array.from({ length: 500 }, (_, i) => b.facts(i));
    const subs = facts.flatMap((f) => f.subs);
    const invoices = facts.flatMap((f) => f.invoices);
    expect(new Set(facts.map((f) => f.currency))).toEqual(new Set(['gbp', 'usd', 'eur']));
    expect(new Set(subs.map((s) => s.status))).toEqual(new Set(['trialing', 'active', 'past_due', 'canceled']));
    expect(subs.some((s) => s.cancelAtPeriodEnd && s.status === 'active')).toBe(true);
    expect(subs.some((s) => s.cancelReason === 'payment_failed')).toBe(true);
    expect(subs.some((s) => s.trialEnd !== null && s.status === 'canceled' && s.endedAt === s.trialEnd)).toBe(true);
    expect(facts.some((f) => f.subs.length > 1)).toBe(true); // reactivations
    expect(subs.some((s) => s.coupon !== null) && facts.some((f) => f.coupon !== null)).toBe(true);
    expect(invoices.some((i) => i.status === 'void')).toBe(true); // paused collection
    expect(invoices.some((i) => i.attemptCount > 1 && i.status === 'paid')).toBe(true); // recovered after failure
    expect(facts.some((f) => f.refunds.length > 0) && facts.some((f) => f.disputes.length > 0)).toBe(true);
    expect(b.eventTypes).toEqual(expect.arrayContaining(['customer.subscription.updated', 'invoice.payment_failed', 'charge.refunded']));
  });

  it('demo has a few USD/EUR subscriptions on GBP prices billed from currency_options', () => {
    const b = business('demo');
    const multi = Array.from({ length: 500 }, (_, i) => ({ i, subs: b.builder(i).facts.subs })).flatMap(({ i, subs }) =>
      subs.map((s) => ({ i, s, json: b.builder(i).subscription(s.n) as { currency: string; items: { data: Array<{ price: { id: string; currency: string } }> } } })))
      .filter((x) => x.json.items.data[0]?.price.currency !== x.json.currency);
    expect(multi.length).toBeGreaterThanOrEqual(3);
    expect(multi.length).toBeLessThan(100);
    const prices = new Map(b.prices().map((p) => [p['id'], p as { currency: string; currency_options?: Record<string, unknown> }]));
    for (const { json } of multi) {
      const price = prices.get(json.items.data[0]!.price.id)!;
      expect(price.currency).toBe('gbp');
      expect(price.currency_options?.[json.currency]).toBeDefined();
    }
    // The small business (other tests' figures) keeps every subscription on a price in its own currency.
    const small = business('small');
    for (let i = 0; i < 50; i++) {
      for (const s of small.facts(i).subs) {
        const json = small.builder(i).subscription(s.n) as { currency: string; items: { data: Array<{ price: { currency: string } }> } };
        expect(json.items.data[0]?.price.currency).toBe(json.currency);
      }
    }
  });

  it('invoices are consistent with their subscription periods and amounts', () => {
    const b = business('small');
    for (let i = 0; i < 50; i++) {
      for (const inv of b.facts(i).invoices) {
        expect(inv.total).toBe(inv.subtotal - inv.discount + inv.tax);
        expect(inv.periodEnd).toBeGreaterThan(inv.periodStart);
        const json = b.builder(i).invoice(inv.n) as { lines: { data: Array<{ period: { start: number; end: number } }> } };
        expect(json.lines.data[0]?.period).toEqual({ start: inv.periodStart, end: inv.periodEnd });
      }
    }
  });

  it('plants Luhn-valid PAN bait in customer metadata, descriptions and charges', () => {
    for (const pan of PAN_BAIT) expect(isLuhnValid(pan)).toBe(true);
    const b = business('demo');
    const text = JSON.stringify([b.builder(3).customer(), b.builder(7).customer()]);
    expect(PAN_BAIT.some((p) => text.includes(p))).toBe(true);
    const baitCharges = Array.from({ length: 500 }, (_, i) => b.facts(i)).flatMap((f) => f.charges.filter((c) => c.bait).map((c) => b.builder(f.index).charge(c.n)));
    expect(baitCharges.length).toBeGreaterThan(0);
    expect(PAN_BAIT.some((p) => JSON.stringify(baitCharges[0]).includes(p))).toBe(true);
  });

  it('large: ≥ 100,000 customers and ≥ 1,000,000 invoices in compact indexes', () => {
    const started = Date.now();
    const b = business('large');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(b.indexes.get('customer')?.size).toBe(100_000);
    expect(b.indexes.get('invoice')?.size).toBeGreaterThanOrEqual(1_000_000);
    const bytes = [...b.indexes.values()].reduce((sum, index) => sum + index.bytes(), 0);
    expect(bytes).toBeLessThan(64 * 1024 * 1024);
    // Any object can be rebuilt from its id alone.
    const index = b.indexes.get('invoice');
    const entry = index?.at(index.size - 1);
    const invoice = b.object('invoice', entry?.key ?? 0);
    expect(b.locate(String(invoice['id']))).toEqual({ kind: 'invoice', key: entry?.key });
  });
});

describe('CLI', () => {
  it('parses --port, --business and --seed and prints the ready line', async () => {
    expect(parseEmulatorArgs(['--port', '0', '--business', 'small', '--seed', '4'])).toMatchObject({ port: 0, business: 'small', seed: 4 });
    expect(() => parseEmulatorArgs(['--business', 'huge'])).toThrow(/--business/);
    const lines: string[] = [];
    const running = await runEmulatorCli(['--port', '0', '--business', 'empty'], (l) => lines.push(l));
    await running.close();
    expect(lines[0]).toMatch(/^Stripe emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
  });
});
