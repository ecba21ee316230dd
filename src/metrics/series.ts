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
import { add, roundHalfEven, ZERO, type Rational } from './rational.js';
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

/**
 * Σ native × rate, rounded once. Sums unreduced fractions (rounding does not need lowest terms), which keeps
 * the hot daily loop free of gcd work. `day` indexes the grid, whose per-currency factors are precomputed.
 */
function convert(native: NativeAmounts, fx: FxTable, grid: DayGrid, day: number, local: Map<string, Array<Rational | undefined>>): number {
  let n = 0n;
  let d = 1n;
  for (const [c, a] of native) {
    let fs = local.get(c);
    if (!fs) local.set(c, (fs = factorsFor(fx, c, grid)));
    let f = fs[day];
    if (!f) fs[day] = f = minorFactor(fx, c, grid.dates[day] ?? '');
    const pn = a.n * f.n;
    const pd = a.d * f.d;
    n = n * pd + pn * d;
    d = d * pd;
  }
  return toSafeNumber(roundHalfEven({ n, d }));
}

const factorCache = new WeakMap<FxTable, Map<string, Array<Rational | undefined>>>();

/**
 * Memo of minor-unit conversion factors of one currency per grid day, filled on first use (a day nobody pays
 * in that currency must not require a rate).
 */
function factorsFor(fx: FxTable, currency: string, grid: DayGrid): Array<Rational | undefined> {
  let m = factorCache.get(fx);
  if (!m) factorCache.set(fx, (m = new Map()));
  const key = `${currency}|${grid.key}`;
  let fs = m.get(key);
  // Stryker disable next-line ArrayDeclaration: the array is only a sparse memo indexed by day; its initial length does not matter
  if (!fs) m.set(key, (fs = new Array<Rational | undefined>(grid.dates.length)));
  return fs;
}

interface DayGrid {
  key: string;
  /** the day before the range, then every day of the range */
  dates: string[];
  /** last second of each date */
  ends: number[];
}

const grids = new Map<string, DayGrid>();

/** The days of a range and their end instants, shared by every customer of a recompute. */
function dayGrid(from: string, to: string, tz: string): DayGrid {
  const key = `${tz}|${from}|${to}`;
  let g = grids.get(key);
  if (!g) {
    const dates: string[] = [];
    for (let d = addDays(from, -1); d <= to; d = addDays(d, 1)) dates.push(d);
    g = { key, dates, ends: dates.map((d) => dayEnd(d, tz)) };
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when to empty the grid cache only changes memory use, never a figure
    if (grids.size > 64) grids.clear();
    grids.set(key, g);
  }
  return g;
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

  const grid = dayGrid(range.from, range.to, tz);
  const local = new Map<string, Array<Rational | undefined>>();
  const open = nativeAtEndOf(dayBefore);
  const opening: CustomerPoint = {
    date: dayBefore,
    mrr: open.native.size === 0 ? 0 : convert(open.native, fx, grid, 0, local),
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
  let prevMrrAtPrevRates = opening.mrr;
  for (let i = 1; i < grid.dates.length; i++) {
    const date = grid.dates[i] ?? '';
    // days only move forward, so walk the step pointer instead of searching
    const end = grid.ends[i] ?? 0;
    let idx = prevIdx;
    while (idx + 1 < steps.length && (steps[idx + 1]?.t ?? Infinity) <= end) idx++;
    const curNative = steps[idx]?.native ?? EMPTY;
    // Fast path: same amounts and the same rates as yesterday → nothing can have moved.
    if (idx === prevIdx && sameRates(curNative, fx, grid, i, local)) continue;
    const curMrr = curNative.size === 0 ? 0 : convert(curNative, fx, grid, i, local);
    // yesterday's amounts at today's rates; when the amounts did not change that is today's figure
    const prevRevalued = !prev.paying ? 0 : idx === prevIdx ? curMrr : convert(prevNative, fx, grid, i, local);
    const curPaying = curNative.size > 0;
    const change = classifyChange({ prevPaying: prev.paying, curPaying, prevMrr: prevMrrAtPrevRates, curMrr, prevRevalued, hadPaidBefore: hadPaid });
    let native = prev.native;
    if (idx !== prevIdx) {
      const fresh = roundedNative(curNative);
      if (!sameRecord(fresh, prev.native)) native = fresh;
    }
    const moved = change.event !== null || change.movements.fx !== 0 || curMrr !== prevMrrAtPrevRates;
    if (moved || native !== prev.native) {
      const point: CustomerPoint = { date, mrr: curMrr, native, paying: curPaying, movements: change.movements, event: change.event };
      points.push(point);
      prev = point;
    }
    if (curPaying) hadPaid = true;
    prevMrrAtPrevRates = curMrr;
    prevNative = curNative;
    prevIdx = idx;
  }
  const series: CustomerSeries = { key: customerKey(customer.accountId, customer.id), customerId: customer.id, from: range.from, to: range.to, opening, points, firstPaidDate: firstPaid };
  if (customer.accountId !== undefined) series.accountId = customer.accountId;
  return series;
}

/** Whether every currency held converts at the same factor on grid day `day` as on the day before. */
function sameRates(native: NativeAmounts, fx: FxTable, grid: DayGrid, day: number, local: Map<string, Array<Rational | undefined>>): boolean {
  for (const c of native.keys()) {
    if (c === fx.reportingCurrency) continue;
    let fs = local.get(c);
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: a per-call cache of the shared per-table cache; refetching it gives the same array
    if (!fs) local.set(c, (fs = factorsFor(fx, c, grid)));
    const a = (fs[day] ??= minorFactor(fx, c, grid.dates[day] ?? ''));
    // Stryker disable next-line AssignmentOperator,StringLiteral,LogicalOperator: yesterday's factor is always cached already (yesterday was converted or compared with the same currencies), so the right-hand side never runs
    const b = (fs[day - 1] ??= minorFactor(fx, c, grid.dates[day - 1] ?? ''));
    if (a.n !== b.n || a.d !== b.d) return false;
  }
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
