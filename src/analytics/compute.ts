// Runs the engine over loaded data: one series per customer (same code path as computeOrg, but per customer
// so that one customer whose currency has no exchange rate is reported instead of failing the whole
// organisation), plus what the snapshot stores beside the series — customer attributes for filters and the
// list, per-plan MRR at the snapshot day, trials, and the invoice and cash facts of period metrics.
import {
  add, customerSeries, dayEnd, dayOf, div, excludedCustomerKeys, fromInt, groupByCustomer, MissingFxRateError, monthlyFactor, mul, pointOn,
  prepareSubscription, priceAmount, recordExcluded, recurringItems, roundHalfEven, subscriptionBreakpoints, subscriptionMrrAt, toReporting,
  trialEndOf, versionAt, ZERO, type CustomerSeries, type EngineOptions, type FxTable, type Rational, type SubscriptionInput,
} from '../metrics/index.js';
import type { PlanContribution } from './analytics.table.js';
import type { CashRecord, CustomerRecord, OrgData } from './load.js';

export type CustomerStatus = 'active' | 'trialing' | 'churned' | 'never';

export interface CustomerAttributes {
  key: string;
  connectionId: string | null;
  accountId: string | null;
  customerId: string;
  status: CustomerStatus;
  country: string | null;
  currencies: string[];
  plans: string[];
  billingIntervals: string[];
  planMrr: Record<string, PlanContribution>;
  created: number | null;
}

export interface TrialFact {
  subscriptionKey: string;
  customerKey: string;
  trialEndDay: string;
  convertedAt: number | null;
}

export interface InvoiceFact {
  key: string;
  customerKey: string;
  currency: string;
  amountDue: number;
  firstAttemptDay: string | null;
  firstFailed: boolean;
  recoveredDay: string | null;
}

export interface CashFact {
  key: string;
  customerKey: string | null;
  day: string;
  type: CashRecord['type'];
  currency: string;
  amount: number;
  fee: number;
}

export interface CustomerResult {
  series: CustomerSeries;
  attributes: CustomerAttributes;
  trials: TrialFact[];
}

export interface ComputeResult {
  customers: CustomerResult[];
  /** keys of customers that are out of scope (excluded, or left out for a missing rate) */
  dropped: Set<string>;
  invoices: InvoiceFact[];
  cash: CashFact[];
  warnings: string[];
}

const safe = (x: bigint): number => Number(x);

/** The first instant at or after the trial end at which the subscription earns (null: not yet). */
function convertedAt(sub: SubscriptionInput, end: number, customerDiscounts: CustomerRecord['discounts'], options: EngineOptions): number | null {
  const p = prepareSubscription(sub);
  const discounts = customerDiscounts ?? [];
  const times = [end, ...subscriptionBreakpoints(p, discounts).filter((t) => t >= end)].sort((a, b) => a - b);
  for (const t of times) if (subscriptionMrrAt(p, t, discounts, options).n > 0n) return t;
  return null;
}

/** Each recurring item's share of the subscription's (discounted) MRR at `t`, exact, in its own currency. */
function planShares(sub: SubscriptionInput, t: number, customerDiscounts: CustomerRecord['discounts'], options: EngineOptions): Map<string, Rational> {
  const p = prepareSubscription(sub);
  const out = new Map<string, Rational>();
  const total = subscriptionMrrAt(p, t, customerDiscounts ?? [], options);
  if (total.n === 0n) return out;
  const v = versionAt(p, t);
  if (!v) return out;
  const gross = recurringItems(v).map((it) => ({ id: it.price.id, g: mul(priceAmount(it.price, it.quantity ?? 1), monthlyFactor(it.price.recurring!.interval, it.price.recurring!.interval_count)) }));
  const sum = gross.reduce((a, b) => add(a, b.g), ZERO);
  for (const { id, g } of gross) {
    const share = sum.n === 0n ? ZERO : mul(total, div(g, sum));
    out.set(id, add(out.get(id) ?? ZERO, share));
  }
  return out;
}

export function computeCustomers(data: OrgData, options: EngineOptions, fx: FxTable, range: { from: string; to: string }, today: string): ComputeResult {
  const tz = options.timezone;
  const warnings: string[] = [];
  const results: CustomerResult[] = [];
  const dropped = new Set<string>();
  const records = new Map(data.customers.map((c) => [c.key, c]));
  const snapshotT = dayEnd(today, tz);
  const bundles = groupByCustomer(data.customers, data.subscriptions, options);
  const included = new Set(bundles.map((b) => b.key));
  for (const c of data.customers) if (!included.has(c.key)) dropped.add(c.key);
  for (const b of bundles) {
    let series: CustomerSeries;
    try {
      series = customerSeries(b.customer, b.subscriptions, range, fx, options);
    } catch (error) {
      // Data the engine cannot price (no rate for a currency; and RangeError, which the engine throws for input
      // it cannot read: a tiered price without tiers, a price or coupon in another currency than its
      // subscription, a repeating coupon without a duration…) leaves out that customer, named in the status's
      // warnings, instead of failing the whole organisation's recompute and freezing its dashboard.
      if (error instanceof MissingFxRateError) warnings.push(`customer ${b.customer.id}: no exchange rate for ${error.currency}; left out of every figure`);
      else if (error instanceof RangeError) warnings.push(`customer ${b.customer.id}: ${error.message}; left out of every figure`);
      else throw error;
      dropped.add(b.key);
      continue;
    }
    const record = records.get(b.key);
    const live = b.subscriptions.filter((s) => data.current.get(`${s.accountId}/${s.id}`)?.status !== 'canceled');
    const lastEnded = [...b.subscriptions].sort((x, y) => (data.current.get(`${y.accountId}/${y.id}`)?.endedAt ?? 0) - (data.current.get(`${x.accountId}/${x.id}`)?.endedAt ?? 0))[0];
    const planSource = live.length > 0 ? live : lastEnded ? [lastEnded] : [];
    const plans = new Set<string>();
    const intervals = new Set<string>();
    for (const s of planSource) {
      const last = s.versions[s.versions.length - 1];
      for (const it of last ? recurringItems(last) : []) {
        plans.add(it.price.id);
        if (it.price.product) plans.add(it.price.product);
        if (it.price.recurring) intervals.add(it.price.recurring.interval);
      }
    }
    const point = pointOn(series, today < series.from ? series.from : today > series.to ? series.to : today);
    const trialing = b.subscriptions.some((s) => data.current.get(`${s.accountId}/${s.id}`)?.status === 'trialing');
    const status: CustomerStatus = point.paying ? 'active' : trialing ? 'trialing' : series.firstPaidDate !== null ? 'churned' : 'never';
    const planMrr: Record<string, PlanContribution> = {};
    for (const s of b.subscriptions) {
      let shares: Map<string, Rational>;
      try {
        shares = planShares(s, snapshotT, b.customer.discounts, options);
      } catch {
        continue;
      }
      for (const [priceId, amount] of shares) {
        let reporting: number;
        try {
          reporting = safe(roundHalfEven(toReporting(fx, amount, s.currency, today)));
        } catch {
          continue;
        }
        const native = safe(roundHalfEven(amount));
        const prev = planMrr[priceId] ?? { mrr: 0, native: 0, currency: s.currency, subscriptions: 0, bySubscription: {} };
        planMrr[priceId] = {
          mrr: prev.mrr + reporting, native: prev.native + native, currency: s.currency, subscriptions: prev.subscriptions + 1,
          // Kept per subscription too: two subscriptions on one price differ by quantity and discounts.
          bySubscription: { ...prev.bySubscription, [s.id]: { mrr: reporting, native } },
        };
      }
    }
    const trials: TrialFact[] = [];
    for (const s of b.subscriptions) {
      const end = trialEndOf(s);
      if (end === null) continue;
      trials.push({ subscriptionKey: `${s.accountId ?? ''}/${s.id}`, customerKey: b.key, trialEndDay: dayOf(end, tz), convertedAt: convertedAt(s, end, b.customer.discounts, options) });
    }
    results.push({
      series,
      trials,
      attributes: {
        key: b.key,
        connectionId: record?.connectionId ?? null,
        accountId: b.customer.accountId ?? null,
        customerId: b.customer.id,
        status,
        country: b.customer.country ?? null,
        currencies: [...new Set(b.subscriptions.map((s) => s.currency.toUpperCase()))].sort(),
        plans: [...plans].sort(),
        billingIntervals: [...intervals].sort(),
        planMrr,
        created: b.customer.created ?? null,
      },
    });
  }

  const excluded = excludedCustomerKeys(data.customers, options);
  for (const k of dropped) excluded.add(k);
  const invoices: InvoiceFact[] = [];
  for (const inv of data.invoices) {
    if (recordExcluded({ customerId: inv.customerKey.split('/').pop(), accountId: inv.accountId, livemode: inv.livemode }, excluded, options)) continue;
    const attempted = inv.attemptCount >= 1;
    const firstFailed = inv.attemptCount > 1 || (attempted && (inv.status === 'open' || inv.status === 'uncollectible'));
    invoices.push({
      key: inv.key, customerKey: inv.customerKey, currency: inv.currency, amountDue: inv.amountDue,
      firstAttemptDay: attempted ? dayOf(inv.created, tz) : null,
      firstFailed,
      recoveredDay: firstFailed && inv.status === 'paid' && inv.recoveredAt !== null ? dayOf(inv.recoveredAt, tz) : null,
    });
  }
  const cash: CashFact[] = [];
  for (const t of data.cash) {
    const rec: { customerId?: string; accountId: string; livemode: boolean } = { accountId: t.accountId, livemode: t.livemode };
    if (t.customerKey) rec.customerId = t.customerKey.split('/').pop() as string;
    if (recordExcluded(rec, excluded, options)) continue;
    cash.push({ key: t.key, customerKey: t.customerKey, day: dayOf(t.created, tz), type: t.type, currency: t.currency, amount: t.amount, fee: t.fee });
  }
  return { customers: results, dropped, invoices, cash, warnings };
}

/** Exact sum of amounts per (currency, day) converted at each day's rate, rounded once. */
export function convertedSum(rows: Iterable<{ currency: string; day: string; amount: number }>, fx: FxTable, warn?: (m: string) => void): number {
  let total: Rational = ZERO;
  for (const r of rows) {
    try {
      total = add(total, toReporting(fx, fromInt(r.amount), r.currency, r.day));
    } catch (error) {
      if (!(error instanceof MissingFxRateError)) throw error;
      warn?.(`no exchange rate for ${error.currency}`);
    }
  }
  return safe(roundHalfEven(total));
}
