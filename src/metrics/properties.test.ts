/**
 * Property tests (fast-check) for the engine's invariants over random Stripe-like histories.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeOrg } from './engine.js';
import { applyDelta, rollup } from './aggregate.js';
import { recomputeCustomer } from './incremental.js';
import { movementTotal } from './movements.js';
import { expandDays } from './series.js';
import { T } from './test-support.js';
import type { CustomerInput, DiscountInput, FxRateInput, PriceInput, SubscriptionInput, SubscriptionVersion } from './types.js';
import type { EngineOptionsInput } from './options.js';

const FROM = '2024-01-01';
const TO = '2024-04-30';
const START = T('2023-12-15T00:00Z');
const SPAN = T('2024-05-05T00:00Z') - START;

const instant = fc.integer({ min: 0, max: SPAN }).map((x) => START + x);
/** null most of the time, so histories are not cancelled/paused/trialling on almost every version */
const rare = <T,>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 5 }, { arbitrary: arb, weight: 1 });

const priceArb: fc.Arbitrary<PriceInput> = fc.record({
  id: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
  amount: fc.integer({ min: 0, max: 100_000 }),
  interval: fc.constantFrom('day' as const, 'week' as const, 'month' as const, 'year' as const),
  count: fc.integer({ min: 1, max: 3 }),
  tiered: fc.constantFrom(null, 'graduated' as const, 'volume' as const),
  oneOff: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
}).map(({ id, amount, interval, count, tiered, oneOff }) => ({
  id,
  currency: 'X', // set from the subscription below
  recurring: oneOff ? null : { interval, interval_count: count },
  billing_scheme: tiered ? ('tiered' as const) : ('per_unit' as const),
  unit_amount: amount,
  ...(tiered
    ? { tiers_mode: tiered, tiers: [{ up_to: 3, unit_amount: amount, flat_amount: 100 }, { up_to: 'inf' as const, unit_amount: Math.floor(amount / 2) }] }
    : {}),
}));

const discountArb: fc.Arbitrary<DiscountInput> = fc.record({
  start: instant,
  percent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  amount: fc.integer({ min: 1, max: 20_000 }),
  duration: fc.constantFrom('once' as const, 'repeating' as const, 'forever' as const),
  months: fc.integer({ min: 1, max: 4 }),
}).map(({ start, percent, amount, duration, months }) => ({
  start,
  coupon: {
    id: `co_${duration}`,
    duration,
    ...(duration === 'repeating' ? { duration_in_months: months } : {}),
    ...(percent !== undefined ? { percent_off: percent } : { amount_off: amount, currency: 'X' }),
  },
}));

const versionArb: fc.Arbitrary<Omit<SubscriptionVersion, 'validFrom'>> = fc.record({
  status: fc.constantFrom('active' as const, 'active' as const, 'active' as const, 'active' as const, 'past_due' as const, 'trialing' as const, 'unpaid' as const, 'canceled' as const, 'paused' as const, 'incomplete' as const),
  items: fc.array(fc.record({ price: priceArb, quantity: fc.integer({ min: 0, max: 12 }) }), { minLength: 1, maxLength: 2 }),
  discounts: fc.array(discountArb, { maxLength: 2 }),
  trial_end: rare(instant),
  cancel_at_period_end: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  current_period_end: rare(instant),
  canceled_at: rare(instant),
  cancel_at: rare(instant),
  ended_at: rare(instant),
  pause_collection: rare(fc.record({ resumes_at: fc.option(instant, { nil: null }) })),
});

const subArb = (customerId: string, n: number): fc.Arbitrary<SubscriptionInput> =>
  fc.record({
    currency: fc.constantFrom('gbp', 'gbp', 'usd', 'eur', 'jpy'),
    times: fc.uniqueArray(instant, { minLength: 1, maxLength: 5 }),
    versions: fc.array(versionArb, { minLength: 5, maxLength: 5 }),
    accountId: fc.constantFrom(undefined, 'acct_a', 'acct_b'),
  }).map(({ currency, times, versions, accountId }) => {
    const fix = <T extends { currency?: string | null }>(x: T): T => ({ ...x, currency });
    const s: SubscriptionInput = {
      id: `sub_${customerId}_${n}`,
      customerId,
      currency,
      versions: times.map((t, i) => {
        const v = versions[i] ?? versions[0];
        if (!v) throw new Error('no version');
        return {
          ...v,
          validFrom: t,
          items: v.items.map((it) => ({ ...it, price: fix(it.price) })),
          discounts: (v.discounts ?? []).map((d) => ({ ...d, coupon: d.coupon.amount_off !== undefined ? fix(d.coupon) : d.coupon })),
        };
      }),
    };
    if (accountId !== undefined) s.accountId = accountId;
    return s;
  });

interface World {
  customers: CustomerInput[];
  subs: SubscriptionInput[];
  fx: FxRateInput[];
}

// one rate per currency and day: two different rates for the same day are rejected as ambiguous (fx.ts)
const fxArb: fc.Arbitrary<FxRateInput[]> = fc
  .uniqueArray(fc.record({ currency: fc.constantFrom('USD', 'EUR', 'JPY'), day: fc.integer({ min: 0, max: 140 }), milli: fc.integer({ min: 1, max: 2000 }) }), { maxLength: 12, selector: (r) => `${r.currency}|${r.day}` })
  .map((rs) => [
    { currency: 'USD', date: '2023-12-01', rate: '0.79' },
    { currency: 'EUR', date: '2023-12-01', rate: '0.86' },
    { currency: 'JPY', date: '2023-12-01', rate: '0.0053' },
    ...rs.map((r) => ({ currency: r.currency, date: new Date(Date.UTC(2023, 11, 20 + r.day)).toISOString().slice(0, 10), rate: String(r.milli / (r.currency === 'JPY' ? 100_000 : 1000)) })),
  ]);

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 1, max: 3 }).chain((nc) =>
  fc.record({
    subs: fc.tuple(...Array.from({ length: nc }, (_, c) => fc.array(fc.nat(), { minLength: 1, maxLength: 2 }).chain((xs) => fc.tuple(...xs.map((_, i) => subArb(`c${c}`, i)))))).map((xss) => xss.flat()),
    customerDiscount: fc.option(discountArb, { nil: undefined }),
    fx: fxArb,
  }).map(({ subs, customerDiscount, fx }) => {
    const keys = new Map<string, CustomerInput>();
    for (const s of subs) {
      const c: CustomerInput = { id: s.customerId };
      if (s.accountId !== undefined) c.accountId = s.accountId;
      // customer-level percent discounts only (an amount_off must match every subscription's currency)
      if (customerDiscount && customerDiscount.coupon.percent_off !== undefined) c.discounts = [customerDiscount];
      keys.set(`${s.accountId ?? ''}/${s.customerId}`, c);
    }
    return { customers: [...keys.values()], subs, fx };
  }),
);

const optionsArb: fc.Arbitrary<EngineOptionsInput> = fc.record({
  preset: fc.constantFrom('mowt' as const, 'stripe' as const),
  timezone: fc.constantFrom('UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata'),
});

const compute = (w: World, o: EngineOptionsInput) => computeOrg({ customers: w.customers, subscriptions: w.subs, fxRates: w.fx, from: FROM, to: TO }, o);

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) continue;
    out[i] = b;
    out[j] = a;
  }
  return out;
}

/**
 * Under Stryker (`npm run mutation`) these properties re-run for every mutant they cover; fewer random cases per
 * mutant keep a full mutation run feasible on a small shared machine. Fewer cases can only let more mutants
 * survive, never fewer, so the recorded mutation score is conservative. Plain test runs use the full counts.
 */
const UNDER_MUTATION = process.env.STRYKER_MUTATOR_WORKER !== undefined;
const RUNS = { numRuns: UNDER_MUTATION ? 5 : 60 };

describe('engine invariants', () => {
  it('Σ movements = ΔMRR for every customer, every day and the whole range', () => {
    fc.assert(
      fc.property(worldArb, optionsArb, (w, o) => {
        const r = compute(w, o);
        let prev = r.aggregates.opening.mrr;
        for (const d of r.aggregates.days) {
          expect(movementTotal(d)).toBe(d.mrr - prev);
          prev = d.mrr;
        }
        for (const s of r.customers.values()) {
          let p = s.opening.mrr;
          for (const d of expandDays(s)) {
            expect(movementTotal(d.movements)).toBe(d.mrr - p);
            p = d.mrr;
          }
        }
        for (const g of ['day', 'week', 'month'] as const) {
          for (const row of rollup(r.aggregates, g)) expect(movementTotal(row)).toBe(row.mrr - row.startMrr);
        }
      }),
      RUNS,
    );
  });

  it('MRR is never negative and movements have their signs', () => {
    fc.assert(
      fc.property(worldArb, optionsArb, (w, o) => {
        const r = compute(w, o);
        for (const s of r.customers.values()) {
          for (const d of expandDays(s)) {
            expect(d.mrr).toBeGreaterThanOrEqual(0);
            for (const v of Object.values(d.native)) expect(v).toBeGreaterThanOrEqual(0);
            expect(d.movements.new).toBeGreaterThanOrEqual(0);
            expect(d.movements.reactivation).toBeGreaterThanOrEqual(0);
            expect(d.movements.expansion).toBeGreaterThanOrEqual(0);
            expect(d.movements.churn).toBeLessThanOrEqual(0);
            expect(d.movements.contraction).toBeLessThanOrEqual(0);
          }
        }
        for (const d of r.aggregates.days) expect(d.payingCustomers).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('input order does not change any result', () => {
    fc.assert(
      fc.property(worldArb, optionsArb, fc.integer({ min: 1, max: 1_000_000 }), (w, o, seed) => {
        const a = compute(w, o);
        const shuffled: World = {
          customers: shuffle(w.customers, seed),
          subs: shuffle(w.subs.map((s) => ({ ...s, versions: shuffle(s.versions, seed + 1) })), seed + 2),
          fx: shuffle(w.fx, seed + 3),
        };
        const b = compute(shuffled, o);
        expect(b.aggregates).toEqual(a.aggregates);
        expect([...b.customers.entries()]).toEqual([...a.customers.entries()]);
      }),
      RUNS,
    );
  });

  it('splitting a version into identical versions changes nothing (no movements appear)', () => {
    fc.assert(
      fc.property(worldArb, optionsArb, fc.nat(), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (w, o, pick, frac) => {
        const a = compute(w, o);
        const target = w.subs[pick % w.subs.length];
        if (!target) return;
        const sorted = [...target.versions].sort((x, y) => x.validFrom - y.validFrom);
        const i = pick % sorted.length;
        const v = sorted[i];
        if (!v) return;
        const next = sorted[i + 1]?.validFrom ?? v.validFrom + 90 * 86_400;
        const at = v.validFrom + Math.max(1, Math.floor((next - v.validFrom) * frac));
        if (at >= next) return;
        const split = { ...target, versions: [...target.versions, { ...v, validFrom: at }] };
        const b = compute({ ...w, subs: w.subs.map((s) => (s === target ? split : s)) }, o);
        expect(b.aggregates).toEqual(a.aggregates);
        expect([...b.customers.entries()]).toEqual([...a.customers.entries()]);
      }),
      RUNS,
    );
  });

  it('a shorter window reports the same days identically (classification looks at the whole history)', () => {
    fc.assert(
      fc.property(worldArb, optionsArb, fc.integer({ min: 1, max: 100 }), (w, o, offset) => {
        const full = compute(w, o);
        const from = full.aggregates.days[offset]?.date;
        if (!from) return;
        const part = computeOrg({ customers: w.customers, subscriptions: w.subs, fxRates: w.fx, from, to: TO }, o);
        expect(part.aggregates.days).toEqual(full.aggregates.days.slice(offset));
        expect(part.aggregates.opening).toEqual({ mrr: full.aggregates.days[offset - 1]?.mrr, payingCustomers: full.aggregates.days[offset - 1]?.payingCustomers });
      }),
      RUNS,
    );
  });

  it('an incremental update of one customer equals a full recompute', () => {
    fc.assert(
      fc.property(worldArb, worldArb, optionsArb, fc.nat(), (w, w2, o, pick) => {
        const before = compute(w, o);
        const victim = w.subs[pick % w.subs.length];
        if (!victim) return;
        // replace the victim customer's subscriptions with another random history (same customer)
        const replacement = w2.subs.slice(0, 2).map((s, i) => ({ ...s, id: `new_${i}`, customerId: victim.customerId, ...(victim.accountId !== undefined ? { accountId: victim.accountId } : {}) })).map((s) => {
          if (victim.accountId === undefined) delete (s as { accountId?: string }).accountId;
          return s;
        });
        const others = w.subs.filter((s) => !(s.customerId === victim.customerId && s.accountId === victim.accountId));
        const after: World = { ...w, subs: [...others, ...replacement] };
        const full = compute(after, o);
        const key = victim.accountId ? `${victim.accountId}/${victim.customerId}` : victim.customerId;
        const customer = w.customers.find((c) => c.id === victim.customerId && c.accountId === victim.accountId) ?? { id: victim.customerId };
        const { delta } = recomputeCustomer(
          { customer, subscriptions: replacement, previous: before.customers.get(key) ?? null, range: { from: FROM, to: TO } },
          before.fx,
          before.options,
        );
        expect(applyDelta(before.aggregates, delta)).toEqual(full.aggregates);
      }),
      { numRuns: UNDER_MUTATION ? 5 : 40 },
    );
  });
});
