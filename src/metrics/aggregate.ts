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

/** Add (sign +1) or remove (sign −1) one customer's series. Mutates `agg`: callers own the object. */
export function addSeries(agg: OrgAggregates, series: CustomerSeries, sign: 1 | -1): void {
  if (series.from !== agg.from || series.to !== agg.to) {
    throw new RangeError(`series ${series.key} covers ${series.from}..${series.to}, aggregates ${agg.from}..${agg.to}`);
  }
  agg.opening.mrr += sign * series.opening.mrr;
  agg.opening.payingCustomers += sign * (series.opening.paying ? 1 : 0);
  let last: CustomerPoint = series.opening;
  let pi = 0;
  for (const day of agg.days) {
    const p = series.points[pi];
    if (p && p.date === day.date) {
      last = p;
      pi++;
      for (const k of MOVEMENT_KINDS) day[k] += sign * p.movements[k];
      if (p.event === 'new') day.newCustomers += sign;
      else if (p.event === 'churn') day.churnedCustomers += sign;
      else if (p.event === 'reactivation') day.reactivatedCustomers += sign;
    }
    day.mrr += sign * last.mrr;
    day.payingCustomers += sign * (last.paying ? 1 : 0);
  }
}

export function aggregate(currency: string, from: string, to: string, series: Iterable<CustomerSeries>): OrgAggregates {
  const agg = emptyAggregates(currency, from, to);
  for (const s of series) addSeries(agg, s, 1);
  return agg;
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
  const agg = emptyAggregates(currency, ref.from, ref.to);
  if (after) addSeries(agg, after, 1);
  if (before) addSeries(agg, before, -1);
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

/** Roll daily aggregates up to days, ISO weeks or calendar months: balances at period end, flows summed. */
export function rollup(agg: OrgAggregates, granularity: Granularity): PeriodRow[] {
  const keyOf = granularity === 'day' ? (d: string) => d : granularity === 'week' ? weekStart : monthStart;
  const rows: PeriodRow[] = [];
  let startMrr = agg.opening.mrr;
  let row: PeriodRow | undefined;
  for (const day of agg.days) {
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
