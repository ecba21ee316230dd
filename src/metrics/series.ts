/**
 * One customer's MRR over time: an exact step function of instants (in each original currency), read at the
 * end of every calendar day in the organisation's timezone, converted at that day's rate and rounded once.
 *
 * The series is sparse: it lists only the days on which something changed (MRR, native amounts, or a
 * movement); between two listed days every value stays as it was. `expandDays` gives the dense view.
 */
import type { CustomerInput, SubscriptionInput } from './types.js';
import type { EngineOptions } from './options.js';
import { addDays, dayEnd, dayOf } from './calendar.js';
import { minorFactor, type FxTable } from './fx.js';
import { classifyChange, noMovements, type CustomerEvent, type Movements } from './movements.js';
import { prepareSubscription, subscriptionBreakpoints, subscriptionMrrAt } from './mrr.js';
import { add, mul, roundHalfEven, ZERO, type Rational } from './rational.js';
import { customerKey } from './filters.js';

/** Exact MRR per original currency (minor units); only non-zero currencies are present. */
export type NativeAmounts = ReadonlyMap<string, Rational>;

export interface CustomerPoint {
  date: string;
  /** MRR at the end of `date`, reporting-currency minor units, rounded half-even once */
  mrr: number;
  /** MRR per original currency (minor units, rounded half-even) for drill-down */
  native: Record<string, number>;
  paying: boolean;
  movements: Movements;
  event: CustomerEvent;
}

export interface CustomerSeries {
  key: string;
  customerId: string;
  accountId?: string;
  from: string;
  to: string;
  /** state at the end of the day before `from` (movements zero) */
  opening: CustomerPoint;
  /** days in [from, to] on which anything changed, ascending */
  points: CustomerPoint[];
  /** first day (ever, not only in range) on which the customer ended the day paying, or null */
  firstPaidDate: string | null;
}

interface Step {
  t: number;
  native: Map<string, Rational>;
}

/** The exact step function of the customer's MRR per currency, evaluated at every breakpoint. */
export function customerSteps(customer: CustomerInput, subscriptions: readonly SubscriptionInput[], options: EngineOptions): Step[] {
  const discounts = customer.discounts ?? [];
  const prepared = subscriptions.map(prepareSubscription);
  const times = new Set<number>();
  for (const s of prepared) for (const t of subscriptionBreakpoints(s, discounts)) times.add(t);
  const sorted = [...times].sort((a, b) => a - b);
  const steps: Step[] = [];
  for (const t of sorted) {
    const native = new Map<string, Rational>();
    for (const s of prepared) {
      const v = subscriptionMrrAt(s, t, discounts, options);
      if (v.n === 0n) continue;
      const c = s.currency.toUpperCase();
      native.set(c, add(native.get(c) ?? ZERO, v));
    }
    steps.push({ t, native });
  }
  return steps;
}

function stepIndexAt(steps: readonly Step[], t: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid]?.t ?? Infinity) <= t) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return idx;
}

const EMPTY: Map<string, Rational> = new Map();

/** First calendar day that ends with the customer paying (intra-day blips that end before midnight are not days). */
export function firstPaidDay(steps: readonly Step[], tz: string): string | null {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (!s || s.native.size === 0) continue;
    const day = dayOf(s.t, tz);
    const next = steps[i + 1];
    if (!next || dayEnd(day, tz) < next.t) return day;
  }
  return null;
}

export function toSafeNumber(x: bigint): number {
  const n = Number(x);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${x} exceeds the safe integer range`);
  return n;
}

function convert(native: NativeAmounts, fx: FxTable, date: string): number {
  let total = ZERO;
  for (const [c, amount] of native) total = add(total, mul(amount, minorFactor(fx, c, date)));
  return toSafeNumber(roundHalfEven(total));
}

function roundedNative(native: NativeAmounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [c, a] of [...native].sort(([a], [b]) => (a < b ? -1 : 1))) out[c] = toSafeNumber(roundHalfEven(a));
  return out;
}

/**
 * The customer's daily series over [from, to]. Movements of the first day are relative to the end of the day
 * before `from`, and "new" versus "reactivation" looks at the whole history, so a window never changes how a
 * day is classified.
 */
export function customerSeries(
  customer: CustomerInput,
  subscriptions: readonly SubscriptionInput[],
  range: { from: string; to: string },
  fx: FxTable,
  options: EngineOptions,
): CustomerSeries {
  const tz = options.timezone;
  const steps = customerSteps(customer, subscriptions, options);
  const firstPaid = firstPaidDay(steps, tz);
  const dayBefore = addDays(range.from, -1);
  const nativeAtEndOf = (date: string): { idx: number; native: NativeAmounts } => {
    const idx = stepIndexAt(steps, dayEnd(date, tz));
    return { idx, native: steps[idx]?.native ?? EMPTY };
  };

  const open = nativeAtEndOf(dayBefore);
  const opening: CustomerPoint = {
    date: dayBefore,
    mrr: convert(open.native, fx, dayBefore),
    native: roundedNative(open.native),
    paying: open.native.size > 0,
    movements: noMovements(),
    event: null,
  };
  const points: CustomerPoint[] = [];
  let prev = opening;
  let prevNative = open.native;
  let prevIdx = open.idx;
  let hadPaid = firstPaid !== null && firstPaid <= dayBefore;
  for (let date = range.from; date <= range.to; date = addDays(date, 1)) {
    const cur = nativeAtEndOf(date);
    // Fast path: same step and no foreign currency → nothing can have moved.
    if (cur.idx === prevIdx && onlyReporting(cur.native, fx)) continue;
    const curMrr = convert(cur.native, fx, date);
    const prevRevalued = prev.paying ? convert(prevNative, fx, date) : 0;
    const curPaying = cur.native.size > 0;
    const change = classifyChange({ prevPaying: prev.paying, curPaying, prevMrr: prev.mrr, curMrr, prevRevalued, hadPaidBefore: hadPaid });
    const native = cur.idx === prevIdx ? prev.native : roundedNative(cur.native);
    const changed = change.event !== null || curMrr !== prev.mrr || !sameRecord(native, prev.native) || Object.values(change.movements).some((v) => v !== 0);
    if (changed) {
      const point: CustomerPoint = { date, mrr: curMrr, native, paying: curPaying, movements: change.movements, event: change.event };
      points.push(point);
      prev = point;
    }
    if (curPaying) hadPaid = true;
    prevNative = cur.native;
    prevIdx = cur.idx;
  }
  const series: CustomerSeries = { key: customerKey(customer.accountId, customer.id), customerId: customer.id, from: range.from, to: range.to, opening, points, firstPaidDate: firstPaid };
  if (customer.accountId !== undefined) series.accountId = customer.accountId;
  return series;
}

function onlyReporting(native: NativeAmounts, fx: FxTable): boolean {
  for (const c of native.keys()) if (c !== fx.reportingCurrency) return false;
  return true;
}

function sameRecord(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

export type CustomerDay = CustomerPoint;

/** Dense view: one entry per day in [from, to] (movements zero on days without a point). */
export function expandDays(series: CustomerSeries): CustomerDay[] {
  const out: CustomerDay[] = [];
  let i = 0;
  let last: CustomerPoint = series.opening;
  for (let date = series.from; date <= series.to; date = addDays(date, 1)) {
    const p = series.points[i];
    if (p && p.date === date) {
      out.push(p);
      last = p;
      i++;
    } else out.push({ ...last, date, movements: noMovements(), event: null });
  }
  return out;
}

/** The customer's state at the end of `date` (which must lie in [from − 1, to]). */
export function pointOn(series: CustomerSeries, date: string): CustomerPoint {
  let last: CustomerPoint = series.opening;
  for (const p of series.points) {
    if (p.date > date) break;
    last = p;
  }
  return last;
}
