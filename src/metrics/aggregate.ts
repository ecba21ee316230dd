/**
 * Organisation-level daily aggregates: the sum of every customer's series, day by day, plus the arithmetic
 * that turns a customer's old and new series into a delta to apply (incremental updates), and roll-ups to
 * weeks and months. All fields are integers, so sums are exact and the MRR invariant survives aggregation.
 */
import { addDays, daysBetween, monthStart, weekStart } from './calendar.js';
import { MOVEMENT_KINDS, type Movements } from './movements.js';
import type { CustomerPoint, CustomerSeries } from './series.js';

export interface OrgDay extends Movements {
  date: string;
  mrr: number;
  payingCustomers: number;
  newCustomers: number;
  churnedCustomers: number;
  reactivatedCustomers: number;
}

export interface OrgAggregates {
  currency: string;
  from: string;
  to: string;
  /** end of the day before `from` */
  opening: { mrr: number; payingCustomers: number };
  days: OrgDay[];
}

export const ORG_FIELDS = ['mrr', 'payingCustomers', ...MOVEMENT_KINDS, 'newCustomers', 'churnedCustomers', 'reactivatedCustomers'] as const;
export type OrgField = (typeof ORG_FIELDS)[number];

export function emptyAggregates(currency: string, from: string, to: string): OrgAggregates {
  const n = daysBetween(from, to) + 1;
  const days: OrgDay[] = [];
  for (let i = 0; i < n; i++) days.push(zeroDay(addDays(from, i)));
  return { currency, from, to, opening: { mrr: 0, payingCustomers: 0 }, days };
}

function zeroDay(date: string): OrgDay {
  return { date, mrr: 0, payingCustomers: 0, new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0, newCustomers: 0, churnedCustomers: 0, reactivatedCustomers: 0 };
}

/**
 * Running sums for many series: balances (MRR, paying) are kept as day-to-day differences and flows as
 * per-day totals, so adding a customer costs O(its change days), not O(days in range).
 */
export interface Accumulator {
  currency: string;
  from: string;
  to: string;
  opening: { mrr: number; payingCustomers: number };
  index: Map<string, number>;
  fields: Record<OrgField, Float64Array>;
}

export function accumulator(currency: string, from: string, to: string): Accumulator {
  const n = daysBetween(from, to) + 1;
  if (n < 1) throw new RangeError(`empty range ${from}..${to}`);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(addDays(from, i), i);
  const fields = Object.fromEntries(ORG_FIELDS.map((f) => [f, new Float64Array(n)])) as Record<OrgField, Float64Array>;
  return { currency, from, to, opening: { mrr: 0, payingCustomers: 0 }, index, fields };
}

/** Add (sign +1) or remove (sign −1) one customer's series. */
export function accumulate(acc: Accumulator, series: CustomerSeries, sign: 1 | -1): void {
  if (series.from !== acc.from || series.to !== acc.to) {
    throw new RangeError(`series ${series.key} covers ${series.from}..${series.to}, aggregates ${acc.from}..${acc.to}`);
  }
  const f = acc.fields;
  acc.opening.mrr += sign * series.opening.mrr;
  acc.opening.payingCustomers += sign * (series.opening.paying ? 1 : 0);
  let last: CustomerPoint = series.opening;
  for (const p of series.points) {
    const i = acc.index.get(p.date);
    if (i === undefined) throw new RangeError(`point ${p.date} outside ${acc.from}..${acc.to}`);
    f.mrr[i] = (f.mrr[i] ?? 0) + sign * (p.mrr - last.mrr);
    f.payingCustomers[i] = (f.payingCustomers[i] ?? 0) + sign * ((p.paying ? 1 : 0) - (last.paying ? 1 : 0));
    for (const k of MOVEMENT_KINDS) f[k][i] = (f[k][i] ?? 0) + sign * p.movements[k];
    if (p.event === 'new') f.newCustomers[i] = (f.newCustomers[i] ?? 0) + sign;
    else if (p.event === 'churn') f.churnedCustomers[i] = (f.churnedCustomers[i] ?? 0) + sign;
    else if (p.event === 'reactivation') f.reactivatedCustomers[i] = (f.reactivatedCustomers[i] ?? 0) + sign;
    last = p;
  }
}

/** Turn the running sums into daily rows (balances by prefix sum). */
export function finish(acc: Accumulator): OrgAggregates {
  const days: OrgDay[] = [];
  let mrr = acc.opening.mrr;
  let paying = acc.opening.payingCustomers;
  const f = acc.fields;
  for (const [date, i] of acc.index) {
    mrr += f.mrr[i] ?? 0;
    paying += f.payingCustomers[i] ?? 0;
    days.push({
      date, mrr, payingCustomers: paying,
      new: f.new[i] ?? 0, expansion: f.expansion[i] ?? 0, contraction: f.contraction[i] ?? 0, churn: f.churn[i] ?? 0, reactivation: f.reactivation[i] ?? 0, fx: f.fx[i] ?? 0,
      newCustomers: f.newCustomers[i] ?? 0, churnedCustomers: f.churnedCustomers[i] ?? 0, reactivatedCustomers: f.reactivatedCustomers[i] ?? 0,
    });
  }
  return { currency: acc.currency, from: acc.from, to: acc.to, opening: { ...acc.opening }, days };
}

export function aggregate(currency: string, from: string, to: string, series: Iterable<CustomerSeries>): OrgAggregates {
  const acc = accumulator(currency, from, to);
  for (const s of series) accumulate(acc, s, 1);
  return finish(acc);
}

/** The change to org aggregates on the days it is non-zero (what an incremental update writes). */
export interface OrgDelta {
  from: string;
  to: string;
  opening: { mrr: number; payingCustomers: number };
  days: OrgDay[];
}

/** Delta turning aggregates that contain `before` into aggregates that contain `after` instead. */
export function seriesDelta(currency: string, before: CustomerSeries | null, after: CustomerSeries | null): OrgDelta {
  const ref = after ?? before;
  if (!ref) throw new RangeError('seriesDelta needs at least one series');
  const acc = accumulator(currency, ref.from, ref.to);
  if (after) accumulate(acc, after, 1);
  if (before) accumulate(acc, before, -1);
  const agg = finish(acc);
  return { from: agg.from, to: agg.to, opening: agg.opening, days: agg.days.filter((d) => ORG_FIELDS.some((f) => d[f] !== 0)) };
}

/** Apply a delta to aggregates, returning new aggregates (the input is left untouched). */
export function applyDelta(agg: OrgAggregates, delta: OrgDelta): OrgAggregates {
  if (delta.from !== agg.from || delta.to !== agg.to) throw new RangeError('delta and aggregates cover different ranges');
  const byDate = new Map(delta.days.map((d) => [d.date, d]));
  return {
    ...agg,
    opening: { mrr: agg.opening.mrr + delta.opening.mrr, payingCustomers: agg.opening.payingCustomers + delta.opening.payingCustomers },
    days: agg.days.map((day) => {
      const d = byDate.get(day.date);
      if (!d) return day;
      const out = { ...day };
      for (const f of ORG_FIELDS) out[f] += d[f];
      return out;
    }),
  };
}

export type Granularity = 'day' | 'week' | 'month';

export interface PeriodRow extends Movements {
  /** first day of the period (Monday for weeks, the 1st for months), clipped to the range */
  period: string;
  from: string;
  to: string;
  /** MRR at the end of the day before the period */
  startMrr: number;
  /** MRR at the end of the period's last day in range */
  mrr: number;
  payingCustomers: number;
  newCustomers: number;
  churnedCustomers: number;
  reactivatedCustomers: number;
}

/**
 * Roll daily aggregates up to days, ISO weeks or calendar months: balances at period end, flows summed.
 * `range` (inside the aggregates' range) limits the rows; the first and last periods are clipped to it.
 */
export function rollup(agg: OrgAggregates, granularity: Granularity, range?: { from: string; to: string }): PeriodRow[] {
  const keyOf = granularity === 'day' ? (d: string) => d : granularity === 'week' ? weekStart : monthStart;
  const from = range?.from ?? agg.from;
  const to = range?.to ?? agg.to;
  const rows: PeriodRow[] = [];
  let startMrr = orgDayOn(agg, addDays(from, -1)).mrr;
  let row: PeriodRow | undefined;
  for (const day of agg.days) {
    if (day.date < from || day.date > to) continue;
    const key = keyOf(day.date);
    if (!row || row.period !== key) {
      if (row) startMrr = row.mrr;
      row = { period: key, from: day.date, to: day.date, startMrr, mrr: 0, payingCustomers: 0, new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0, newCustomers: 0, churnedCustomers: 0, reactivatedCustomers: 0 };
      rows.push(row);
    }
    row.to = day.date;
    row.mrr = day.mrr;
    row.payingCustomers = day.payingCustomers;
    for (const k of MOVEMENT_KINDS) row[k] += day[k];
    row.newCustomers += day.newCustomers;
    row.churnedCustomers += day.churnedCustomers;
    row.reactivatedCustomers += day.reactivatedCustomers;
  }
  return rows;
}

/** The org day for `date`, or the opening state when `date` is the day before the range. */
export function orgDayOn(agg: OrgAggregates, date: string): { mrr: number; payingCustomers: number } {
  if (date === addDays(agg.from, -1)) return agg.opening;
  const i = daysBetween(agg.from, date);
  const d = agg.days[i];
  if (!d) throw new RangeError(`${date} is outside ${agg.from}..${agg.to}`);
  return d;
}
