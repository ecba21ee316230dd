// The read side: every figure the API serves, as plain functions over the stored snapshot (callable from the
// routes, from /api/v1 for API tokens, and from tests). Nothing here recomputes a customer's MRR: org-level
// figures come from analytics_days, segment figures from the stored per-customer series, period metrics
// from the stored facts — each rolled up with the engine's own functions so the rules stay in src/metrics.
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg, type Tx } from '../db/tenant.js';
import {
  accumulate, accumulator, addDays, addMonthsToDate, arpa as arpaOf, buildFxTable, cohorts as engineCohorts, dayEnd, dayOf, daysBetween, finish, forCurrency, ltv as ltvOf,
  monthEnd, monthStart, movementsBehind, pointOn, ratio, revenueRetention, rollup, weekStart, type CustomerSeries, type FxTable, type Granularity,
  type MovementKind, type OrgAggregates, type OrgDay, type Ratio,
} from '../metrics/index.js';
import type {
  CashRow, ChurnRow, Cohort, CustomerDetail, CustomerItem, CustomerPage, CustomerStatus, FailedPaymentRow, Headline, InvoiceView, Kpi, KpisView,
  MovementKind as ApiMovementKind, MovementPage, MrrRow, PlanRow, StatusView, StripeEventView, SubscriptionView, SummaryView, TimelinePoint, TrialRow,
} from './api-schemas.js';
import { AnalyticsCache, seriesOf, type CachedCustomer, type OrgCache } from './cache.js';
import { readStamp, stableKey, type ResponseCache } from './response-cache.js';
import { convertedSum } from './compute.js';
import type { PlanContribution } from './analytics.table.js';
import { readPayload, readPayloadText } from './customer-details.js';
import type { AnalyticsCrypto } from './load.js';
import { readSettings } from './settings.js';
import { readFxRates, readState, type StateRow } from './store.js';

// The answers' shapes live in api-schemas.ts (shared with the web app); re-exported under their old names.
export type {
  ApiMovementKind, CashRow, ChurnRow, Cohort, CustomerDetail, CustomerItem, CustomerPage, FailedPaymentRow, Headline, Kpi, KpisView, MovementPage, MrrRow, PlanRow, StatusView,
  SummaryView, TimelinePoint, TrialRow,
};

export interface QueryDeps {
  db: Db;
  crypto: AnalyticsCrypto;
  clock: Clock;
  cache: AnalyticsCache;
  /** answers cached per (organisation, stamp, today, query); absent: every read computes */
  responses?: ResponseCache;
  /** told when a read finds the snapshot missing or out of date (the service queues a recompute) */
  onStale?: (orgId: string, reason: string) => void;
}

export interface Filters {
  plan?: string[];
  currency?: string[];
  country?: string[];
  billingInterval?: string[];
  meta?: { key: string; value: string }[];
}

export type Interval = Granularity;
export const API_MOVEMENT_KINDS: readonly ApiMovementKind[] = ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'currencyAdjustment'];
const toEngineKind = (k: ApiMovementKind): MovementKind => (k === 'currencyAdjustment' ? 'fx' : k);
const toApiKind = (k: MovementKind): ApiMovementKind => (k === 'fx' ? 'currencyAdjustment' : k);

export class QueryError extends Error {
  constructor(readonly status: 400 | 404, message: string, readonly code?: string) {
    super(message);
  }
}

export const MAX_ROWS = 1200;

// ---------------------------------------------------------------------------------------------- snapshot

interface Snapshot {
  orgId: string;
  state: StateRow | null;
  currency: string;
  timezone: string;
  today: string;
  range: { from: string; to: string } | null;
  ltvCap: number;
}

async function snapshot(deps: QueryDeps, tx: Tx, orgId: string): Promise<Snapshot> {
  const state = await readState(tx, orgId);
  const settings = await readSettings(tx, orgId);
  const currency = state?.currency ?? settings.reportingCurrency;
  const timezone = state?.timezone ?? settings.timezone;
  const today = dayOf(Math.floor(deps.clock().getTime() / 1000), timezone);
  if (!state || state.status === 'empty') deps.onStale?.(orgId, 'no snapshot');
  else if (state.settingsHash && (state.currency !== settings.reportingCurrency || state.timezone !== settings.timezone)) deps.onStale?.(orgId, 'settings changed');
  else if (state.rangeTo && state.rangeTo < addDays(today, 1)) deps.onStale?.(orgId, 'snapshot ends before tomorrow');
  const range = state?.rangeFrom && state.rangeTo ? { from: state.rangeFrom, to: state.rangeTo } : null;
  return { orgId, state, currency, timezone, today, range, ltvCap: settings.ltvMaxLifetimeMonths };
}

/** An org-scoped transaction and its snapshot, shared by the reads one answer is made of (the KPIs). */
interface Scope {
  tx: Tx;
  snap: Snapshot;
}

function inScope<T>(deps: QueryDeps, orgId: string, scope: Scope | undefined, fn: (tx: Tx, snap: Snapshot) => Promise<T>): Promise<T> {
  if (scope) return fn(scope.tx, scope.snap);
  return withOrg(deps.db, orgId, async (tx) => fn(tx, await snapshot(deps, tx, orgId)));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function checkDate(d: string, name: string): void {
  if (!DATE.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) {
    throw new QueryError(400, `${name} must be a date YYYY-MM-DD`, 'bad_date');
  }
}

/**
 * Resolves from/to defaults: to = today (clamped), from = the day after the same day 12 months earlier
 * (26 Nov 2025 → 27 Nov 2024 … 26 Nov 2025), so the default is exactly a year, whatever day of the month.
 */
export function resolveRange(snap: { today: string }, from?: string, to?: string): { from: string; to: string } {
  if (to) checkDate(to, 'to');
  if (from) checkDate(from, 'from');
  let end = to ?? snap.today;
  if (end > snap.today) end = snap.today;
  const start = from ?? addDays(previousDate(end, 'year'), 1);
  if (start > end) throw new QueryError(400, 'from must not be after to', 'bad_range');
  return { from: start, to: end };
}

export function periods(from: string, to: string, interval: Interval): { date: string; from: string; to: string }[] {
  const out: { date: string; from: string; to: string }[] = [];
  const keyOf = interval === 'day' ? (d: string) => d : interval === 'week' ? weekStart : monthStart;
  let d = from;
  while (d <= to) {
    const key = keyOf(d);
    const next = interval === 'day' ? addDays(key, 1) : interval === 'week' ? addDays(key, 7) : addMonthsToDate(key, 1);
    const end = addDays(next, -1) < to ? addDays(next, -1) : to;
    out.push({ date: key, from: d, to: end });
    d = addDays(end, 1);
    if (out.length > MAX_ROWS) throw new QueryError(400, `more than ${MAX_ROWS} rows: choose a longer interval or a shorter range`, 'range_too_large');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- filters

export function hasFilters(f: Filters | undefined): boolean {
  return Boolean(f && (f.plan?.length || f.currency?.length || f.country?.length || f.billingInterval?.length || f.meta?.length));
}

export function matches(c: CachedCustomer, f: Filters): boolean {
  if (c.status === 'excluded') return false;
  if (f.plan?.length && !f.plan.some((p) => c.plans.includes(p))) return false;
  if (f.currency?.length && !f.currency.some((x) => c.currencies.includes(x.toUpperCase()))) return false;
  if (f.country?.length && !f.country.some((x) => (c.country ?? '').toUpperCase() === x.toUpperCase())) return false;
  if (f.billingInterval?.length && !f.billingInterval.some((x) => c.billingIntervals.includes(x))) return false;
  if (f.meta?.length && !f.meta.every((m) => c.metadata[m.key] === m.value)) return false;
  return true;
}

function selected(cache: OrgCache, f: Filters | undefined): CachedCustomer[] {
  return [...cache.customers.values()].filter((c) => c.status !== 'excluded' && (!f || matches(c, f)));
}

// ---------------------------------------------------------------------------------------------- daily aggregates

const zeroDay = (date: string, mrr: number, paying: number): OrgDay => ({
  date, mrr, payingCustomers: paying, new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0, newCustomers: 0, churnedCustomers: 0, reactivatedCustomers: 0,
});

type Row = Record<string, unknown>;

/** Org aggregates over [from, to] from analytics_days; days outside the stored range are carried flat. */
async function storedAggregates(tx: Tx, snap: Snapshot, from: string, to: string): Promise<OrgAggregates> {
  const currency = snap.currency;
  const open = { mrr: snap.state?.openingMrr ?? 0, payingCustomers: snap.state?.openingPaying ?? 0 };
  if (!snap.range) {
    const days: OrgDay[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) days.push(zeroDay(d, 0, 0));
    return { currency, from, to, opening: { mrr: 0, payingCustomers: 0 }, days };
  }
  const { rows } = await sql<Row>`select day::text as day, mrr::text as mrr, paying, new::text as new, expansion::text as expansion, contraction::text as contraction,
      churn::text as churn, reactivation::text as reactivation, fx::text as fx, new_customers, churned_customers, reactivated_customers
    from analytics_days where org_id = ${snap.orgId} and day between ${addDays(from, -1)}::date and ${to}::date order by day`.execute(tx);
  const byDay = new Map(rows.map((r) => [String(r['day']), r]));
  const before = addDays(from, -1);
  let last = { mrr: open.mrr, payingCustomers: open.payingCustomers };
  if (before >= snap.range.from) {
    const r = byDay.get(before);
    if (r) last = { mrr: Number(r['mrr']), payingCustomers: Number(r['paying']) };
    else if (before > snap.range.to) {
      const { rows: lastRows } = await sql<Row>`select mrr::text as mrr, paying from analytics_days where org_id = ${snap.orgId} order by day desc limit 1`.execute(tx);
      if (lastRows[0]) last = { mrr: Number(lastRows[0]['mrr']), payingCustomers: Number(lastRows[0]['paying']) };
    }
  }
  const opening = { ...last };
  const days: OrgDay[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const r = byDay.get(d);
    if (!r) {
      days.push(zeroDay(d, last.mrr, last.payingCustomers));
      continue;
    }
    const day: OrgDay = {
      date: d, mrr: Number(r['mrr']), payingCustomers: Number(r['paying']), new: Number(r['new']), expansion: Number(r['expansion']), contraction: Number(r['contraction']),
      churn: Number(r['churn']), reactivation: Number(r['reactivation']), fx: Number(r['fx']), newCustomers: Number(r['new_customers']),
      churnedCustomers: Number(r['churned_customers']), reactivatedCustomers: Number(r['reactivated_customers']),
    };
    days.push(day);
    last = { mrr: day.mrr, payingCustomers: day.payingCustomers };
  }
  return { currency, from, to, opening, days };
}

/** Org aggregates of a segment: the engine's accumulator over the selected customers' stored series. */
function segmentAggregates(snap: Snapshot, cache: OrgCache, customers: CachedCustomer[], from: string, to: string): OrgAggregates {
  const acc = accumulator(snap.currency, from, to);
  const range = snap.range ?? { from, to };
  for (const c of customers) {
    const full = seriesOf(cache, c, range);
    const opening = pointOn(full, addDays(from, -1));
    const points = full.points.filter((p) => p.date >= from && p.date <= to);
    accumulate(acc, { ...full, from, to, opening, points }, 1);
  }
  return finish(acc);
}

async function aggregatesFor(deps: QueryDeps, tx: Tx, snap: Snapshot, from: string, to: string, filters?: Filters): Promise<{ agg: OrgAggregates; cache?: OrgCache; customers?: CachedCustomer[] }> {
  if (!hasFilters(filters)) return { agg: await storedAggregates(tx, snap, from, to) };
  const cache = await deps.cache.get(tx, snap.orgId, snap.state, { series: true });
  const customers = selected(cache, filters);
  return { agg: segmentAggregates(snap, cache, customers, from, to), cache, customers };
}

const dayOn = (agg: OrgAggregates, date: string): { mrr: number; payingCustomers: number } =>
  date < agg.from ? agg.opening : (agg.days[daysBetween(agg.from, date)] ?? agg.days[agg.days.length - 1] ?? agg.opening);

function sumOver(agg: OrgAggregates, from: string, to: string, pick: (d: OrgDay) => number): number {
  let t = 0;
  for (const d of agg.days) if (d.date >= from && d.date <= to) t += pick(d);
  return t;
}

// ---------------------------------------------------------------------------------------------- status


async function metricsStatusUncached(deps: QueryDeps, orgId: string, _q: Record<string, never>): Promise<StatusView> {
  return withOrg(deps.db, orgId, async (tx) => {
    const snap = await snapshot(deps, tx, orgId);
    const s = snap.state;
    return {
      state: s?.status ?? 'empty', version: s?.version ?? 0, currency: snap.currency, timezone: snap.timezone,
      from: snap.range?.from ?? null, to: snap.range?.to ?? null, computedAt: s?.computedAt?.toISOString() ?? null,
      lastIncrementalAt: s?.lastIncrementalAt?.toISOString() ?? null, lastError: s?.lastError ?? null, warnings: s?.warnings ?? [],
    };
  });
}

// ---------------------------------------------------------------------------------------------- summary

export type Compare = 'day' | 'week' | 'month' | 'year';

export function previousDate(date: string, compare: Compare): string {
  if (compare === 'day') return addDays(date, -1);
  if (compare === 'week') return addDays(date, -7);
  const months = compare === 'year' ? -12 : -1;
  const target = addMonthsToDate(monthStart(date), months);
  const day = Number(date.slice(8, 10));
  const last = monthEnd(target);
  const candidate = `${target.slice(0, 8)}${String(day).padStart(2, '0')}`;
  return candidate > last ? last : candidate;
}



/**
 * LTV's churn (docs/metrics.md §9 wants a one-month rate): customers churned in the month ending on `date`
 * ÷ paying customers a month before, whatever period the figure is compared over or summed across. `agg`
 * must cover that month.
 */
function monthlyChurnIn(agg: OrgAggregates, date: string): Ratio {
  const start = previousDate(date, 'month');
  return ratio(sumOver(agg, addDays(start, 1), date, (d) => d.churnedCustomers), dayOn(agg, start).payingCustomers);
}

async function monthlyChurn(deps: QueryDeps, scope: Scope, date: string, filters?: Filters): Promise<Ratio> {
  const { agg } = await aggregatesFor(deps, scope.tx, scope.snap, addDays(previousDate(date, 'month'), 1), date, filters);
  return monthlyChurnIn(agg, date);
}

function headline(agg: OrgAggregates, date: string, churn: Ratio, cap: number): Headline {
  const d = dayOn(agg, date);
  const a = arpaOf(d.mrr, d.payingCustomers);
  return { date, mrr: d.mrr, arr: d.mrr * 12, customers: d.payingCustomers, arpa: a, ltv: ltvOf(a, churn, cap) };
}

async function summaryUncached(deps: QueryDeps, orgId: string, q: { date?: string; compare?: Compare; filters?: Filters }): Promise<SummaryView> {
  return withOrg(deps.db, orgId, async (tx) => {
    const snap = await snapshot(deps, tx, orgId);
    if (q.date) checkDate(q.date, 'date');
    const date = q.date && q.date < snap.today ? q.date : snap.today;
    const prev = previousDate(date, q.compare ?? 'month');
    const prevPrev = previousDate(prev, q.compare ?? 'month');
    // From the earlier of the comparison's start and the month before `prev` (LTV's churn month there).
    const monthBeforePrev = previousDate(prev, 'month');
    const { agg } = await aggregatesFor(deps, tx, snap, addDays(prevPrev < monthBeforePrev ? prevPrev : monthBeforePrev, 1), date, q.filters);
    const churnNow = ratio(sumOver(agg, addDays(prev, 1), date, (d) => d.churnedCustomers), dayOn(agg, prev).payingCustomers);
    const now = headline(agg, date, monthlyChurnIn(agg, date), snap.ltvCap);
    const before = headline(agg, prev, monthlyChurnIn(agg, prev), snap.ltvCap);
    return {
      ...now, currency: snap.currency, customerChurnRate: churnNow, previous: before,
      change: { mrr: now.mrr - before.mrr, arr: now.arr - before.arr, customers: now.customers - before.customers, arpa: now.arpa - before.arpa, ltv: now.ltv.value - before.ltv.value },
      asOf: (snap.state?.lastIncrementalAt && snap.state.computedAt && snap.state.lastIncrementalAt > snap.state.computedAt ? snap.state.lastIncrementalAt : snap.state?.computedAt)?.toISOString() ?? null,
    };
  });
}

// ---------------------------------------------------------------------------------------------- MRR series


export interface SeriesQuery {
  from?: string;
  to?: string;
  interval?: Interval;
  filters?: Filters;
  /** one row over the whole range (KPIs), instead of one per interval */
  whole?: boolean;
}

const periodsOf = (r: { from: string; to: string }, q: SeriesQuery) => (q.whole ? [{ date: r.from, from: r.from, to: r.to }] : periods(r.from, r.to, q.interval ?? 'month'));

async function mrrSeriesUncached(deps: QueryDeps, orgId: string, q: SeriesQuery, scope?: Scope): Promise<MrrRow[]> {
  return inScope(deps, orgId, scope, async (tx, snap) => {
    const r = resolveRange(snap, q.from, q.to);
    periodsOf(r, q);
    const { agg } = await aggregatesFor(deps, tx, snap, r.from, r.to, q.filters);
    const rows = rollup(agg, q.interval ?? 'month', r);
    const merged = q.whole && rows.length > 0 ? [rows.reduce((acc, x) => ({
      ...acc, to: x.to, mrr: x.mrr, payingCustomers: x.payingCustomers, new: acc.new + x.new, expansion: acc.expansion + x.expansion,
      contraction: acc.contraction + x.contraction, churn: acc.churn + x.churn, reactivation: acc.reactivation + x.reactivation, fx: acc.fx + x.fx,
      newCustomers: acc.newCustomers + x.newCustomers, churnedCustomers: acc.churnedCustomers + x.churnedCustomers, reactivatedCustomers: acc.reactivatedCustomers + x.reactivatedCustomers,
    }))] : rows;
    return merged.map((p) => ({
      date: p.period, from: p.from, to: p.to, currency: snap.currency, mrr: p.mrr, startMrr: p.startMrr, new: p.new, expansion: p.expansion,
      contraction: p.contraction, churn: p.churn, reactivation: p.reactivation, currencyAdjustment: p.fx, customers: p.payingCustomers,
      newCustomers: p.newCustomers, churnedCustomers: p.churnedCustomers, reactivatedCustomers: p.reactivatedCustomers,
    }));
  });
}

// ---------------------------------------------------------------------------------------------- churn


async function allSeries(deps: QueryDeps, tx: Tx, snap: Snapshot, filters?: Filters): Promise<{ cache: OrgCache; series: CustomerSeries[] }> {
  const cache = await deps.cache.get(tx, snap.orgId, snap.state, { series: true });
  const range = snap.range ?? { from: snap.today, to: snap.today };
  return { cache, series: selected(cache, filters).map((c) => seriesOf(cache, c, range)) };
}

/** NRR and GRR need each start customer's MRR at both ends; before/after the stored range reads flat. */
function retention(series: CustomerSeries[], from: string, to: string): { nrr: Ratio; grr: Ratio } {
  if (series.length === 0) return { nrr: ratio(0, 0), grr: ratio(0, 0) };
  const clamp = (s: CustomerSeries, d: string): string => (d < addDays(s.from, -1) ? addDays(s.from, -1) : d > s.to ? s.to : d);
  const fitted = series.map((s) => ({ ...s, from: clamp(s, addDays(from, -1)) === addDays(s.from, -1) ? s.from : s.from }));
  const start = addDays(from, -1);
  const first = fitted[0] as CustomerSeries;
  if (start < addDays(first.from, -1)) return { nrr: ratio(0, 0), grr: ratio(0, 0) };
  return revenueRetention(fitted, from, to > first.to ? first.to : to);
}

async function churnSeriesUncached(deps: QueryDeps, orgId: string, q: SeriesQuery, scope?: Scope): Promise<ChurnRow[]> {
  return inScope(deps, orgId, scope, async (tx, snap) => {
    const r = resolveRange(snap, q.from, q.to);
    const ps = periodsOf(r, q);
    const { agg } = await aggregatesFor(deps, tx, snap, r.from, r.to, q.filters);
    const { series } = await allSeries(deps, tx, snap, q.filters);
    return ps.map((p) => {
      const start = dayOn(agg, addDays(p.from, -1));
      const churned = sumOver(agg, p.from, p.to, (d) => d.churnedCustomers);
      const churnMrr = sumOver(agg, p.from, p.to, (d) => d.churn);
      const contraction = sumOver(agg, p.from, p.to, (d) => d.contraction);
      const expansion = sumOver(agg, p.from, p.to, (d) => d.expansion);
      const reactivation = sumOver(agg, p.from, p.to, (d) => d.reactivation);
      const { nrr, grr } = retention(series, p.from, p.to);
      return {
        date: p.date, from: p.from, to: p.to, currency: snap.currency, startMrr: start.mrr, startCustomers: start.payingCustomers, churnedCustomers: churned,
        churnedMrr: churnMrr, contractionMrr: contraction, expansionMrr: expansion, reactivationMrr: reactivation,
        customerChurnRate: ratio(churned, start.payingCustomers),
        grossMrrChurnRate: ratio(-(churnMrr + contraction), start.mrr),
        netMrrChurnRate: ratio(-(churnMrr + contraction + expansion + reactivation), start.mrr),
        nrr, grr,
      };
    });
  });
}

// ---------------------------------------------------------------------------------------------- cohorts

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

async function cohortTableUncached(deps: QueryDeps, orgId: string, q: { from?: string; to?: string; filters?: Filters }): Promise<Cohort[]> {
  return withOrg(deps.db, orgId, async (tx) => {
    const snap = await snapshot(deps, tx, orgId);
    for (const [v, n] of [[q.from, 'from'], [q.to, 'to']] as const) if (v !== undefined && !MONTH.test(v)) throw new QueryError(400, `${n} must be a month YYYY-MM`, 'bad_month');
    const toMonth = q.to ?? snap.today.slice(0, 7);
    const fromMonth = q.from ?? addMonthsToDate(`${toMonth}-01`, -11).slice(0, 7);
    if (fromMonth > toMonth) throw new QueryError(400, 'from must not be after to', 'bad_range');
    if (!snap.range) return [];
    const { series } = await allSeries(deps, tx, snap, q.filters);
    // read every cohort up to today (the current month at today)
    const upToToday = series.map((s) => ({ ...s, to: snap.today < s.to ? snap.today : s.to, points: s.points.filter((p) => p.date <= snap.today) }));
    return engineCohorts(upToToday).filter((c) => c.month >= fromMonth && c.month <= toMonth).map((c) => ({ ...c, currency: snap.currency }));
  });
}

// ---------------------------------------------------------------------------------------------- period facts

async function keysFor(deps: QueryDeps, tx: Tx, snap: Snapshot, filters?: Filters): Promise<string[] | null> {
  if (!hasFilters(filters)) return null;
  const cache = await deps.cache.get(tx, snap.orgId, snap.state);
  return selected(cache, filters).map((c) => c.key);
}

const keyFilter = (keys: string[] | null) => (keys ? sql`and customer_key = any(${keys})` : sql``);

async function fxFor(tx: Tx, snap: Snapshot): Promise<FxTable> {
  return buildFxTable(await readFxRates(tx, snap.orgId), snap.currency);
}

async function trialSeriesUncached(deps: QueryDeps, orgId: string, q: SeriesQuery, scope?: Scope): Promise<TrialRow[]> {
  return inScope(deps, orgId, scope, async (tx, snap) => {
    const r = resolveRange(snap, q.from, q.to);
    const ps = periodsOf(r, q);
    const keys = await keysFor(deps, tx, snap, q.filters);
    const { rows } = await sql<Row>`select trial_end_day::text as day, converted_at::text as converted_at from analytics_trials
      where org_id = ${orgId} and trial_end_day between ${r.from}::date and ${r.to}::date ${keyFilter(keys)}`.execute(tx);
    return ps.map((p) => {
      const horizon = dayEnd(p.to, snap.timezone);
      const inP = rows.filter((x) => String(x['day']) >= p.from && String(x['day']) <= p.to);
      const converted = inP.filter((x) => x['converted_at'] !== null && Number(x['converted_at']) <= horizon).length;
      return { date: p.date, from: p.from, to: p.to, trials: inP.length, converted, rate: ratio(converted, inP.length) };
    });
  });
}

async function failedPaymentSeriesUncached(deps: QueryDeps, orgId: string, q: SeriesQuery, scope?: Scope): Promise<FailedPaymentRow[]> {
  return inScope(deps, orgId, scope, async (tx, snap) => {
    const r = resolveRange(snap, q.from, q.to);
    const ps = periodsOf(r, q);
    const keys = await keysFor(deps, tx, snap, q.filters);
    const { rows: attempts } = await sql<Row>`select first_attempt_day::text as day, count(*)::int as n, count(*) filter (where first_failed)::int as failed
      from analytics_invoice_facts where org_id = ${orgId} and first_attempt_day between ${r.from}::date and ${r.to}::date ${keyFilter(keys)} group by first_attempt_day`.execute(tx);
    const { rows: recovered } = await sql<Row>`select recovered_day::text as day, currency, count(*)::int as n, sum(amount_due)::text as amount
      from analytics_invoice_facts where org_id = ${orgId} and recovered_day between ${r.from}::date and ${r.to}::date ${keyFilter(keys)} group by recovered_day, currency`.execute(tx);
    const fx = await fxFor(tx, snap);
    return ps.map((p) => {
      const a = attempts.filter((x) => String(x['day']) >= p.from && String(x['day']) <= p.to);
      const rec = recovered.filter((x) => String(x['day']) >= p.from && String(x['day']) <= p.to);
      const attempted = a.reduce((s, x) => s + Number(x['n']), 0);
      const failed = a.reduce((s, x) => s + Number(x['failed']), 0);
      return {
        date: p.date, from: p.from, to: p.to, currency: snap.currency, attempted, failed, rate: ratio(failed, attempted),
        recoveredInvoices: rec.reduce((s, x) => s + Number(x['n']), 0),
        recoveredRevenue: convertedSum(rec.map((x) => ({ currency: String(x['currency']), day: String(x['day']), amount: Number(x['amount']) })), fx),
      };
    });
  });
}

async function cashSeriesUncached(deps: QueryDeps, orgId: string, q: SeriesQuery, scope?: Scope): Promise<CashRow[]> {
  return inScope(deps, orgId, scope, async (tx, snap) => {
    const r = resolveRange(snap, q.from, q.to);
    const ps = periodsOf(r, q);
    const keys = await keysFor(deps, tx, snap, q.filters);
    const { rows } = await sql<Row>`select day::text as day, type, currency, sum(amount)::text as amount, sum(fee)::text as fee from analytics_cash_facts
      where org_id = ${orgId} and day between ${r.from}::date and ${r.to}::date ${keyFilter(keys)} group by day, type, currency`.execute(tx);
    const fx = await fxFor(tx, snap);
    return ps.map((p) => {
      const inP = rows.filter((x) => String(x['day']) >= p.from && String(x['day']) <= p.to);
      const of = (type: string, field: 'amount' | 'fee') => inP.filter((x) => type === '*' || x['type'] === type).map((x) => ({ currency: String(x['currency']), day: String(x['day']), amount: Number(x[field]) }));
      const charges = convertedSum(of('charge', 'amount'), fx);
      const refunds = convertedSum(of('refund', 'amount'), fx);
      const disputes = convertedSum(of('dispute', 'amount'), fx);
      const fees = convertedSum(of('*', 'fee'), fx);
      return { date: p.date, from: p.from, to: p.to, currency: snap.currency, charges, refunds, disputes, fees, net: charges - refunds - disputes - fees };
    });
  });
}

// ---------------------------------------------------------------------------------------------- KPIs



async function kpisUncached(deps: QueryDeps, orgId: string, q: { from?: string; to?: string; filters?: Filters }): Promise<KpisView> {
  // one transaction and one snapshot for the ten reads (two periods × five series) the tiles are made of
  return withOrg(deps.db, orgId, async (tx) => kpisIn(deps, orgId, q, { tx, snap: await snapshot(deps, tx, orgId) }));
}

async function kpisIn(deps: QueryDeps, orgId: string, q: { from?: string; to?: string; filters?: Filters }, scope: Scope): Promise<KpisView> {
  const snapInfo = scope.snap;
  const r = resolveRange(snapInfo, q.from, q.to);
  const length = daysBetween(r.from, r.to) + 1;
  const prev = { from: addDays(r.from, -length), to: addDays(r.from, -1) };
  const period = async (range: { from: string; to: string }) => {
    const one = { ...range, filters: q.filters, whole: true };
    const [mrr] = await mrrSeriesUncached(deps, orgId, { ...one, interval: 'day' }, scope).then((rows) => [{
      end: rows[rows.length - 1], start: rows[0]?.startMrr ?? 0,
      new: rows.reduce((s, x) => s + x.new, 0), churned: rows.reduce((s, x) => s + x.churn + x.contraction, 0),
      newCustomers: rows.reduce((s, x) => s + x.newCustomers, 0), churnedCustomers: rows.reduce((s, x) => s + x.churnedCustomers, 0),
    }]);
    const [churn] = await churnSeriesUncached(deps, orgId, one, scope);
    const [trial] = await trialSeriesUncached(deps, orgId, one, scope);
    const [failed] = await failedPaymentSeriesUncached(deps, orgId, one, scope);
    const [cash] = await cashSeriesUncached(deps, orgId, one, scope);
    const end = mrr?.end ?? { mrr: mrr?.start ?? 0, customers: 0 };
    const arpa = arpaOf(end.mrr, end.customers);
    const zero = ratio(0, 0);
    const customerChurnRate = churn?.customerChurnRate ?? zero;
    const ltvChurn = await monthlyChurn(deps, scope, range.to, q.filters);
    return {
      mrr: end.mrr, customers: end.customers, arpa, ltv: ltvOf(arpa, ltvChurn, snapInfo.ltvCap).value,
      newMrr: mrr?.new ?? 0, churnedMrr: mrr?.churned ?? 0, netNewMrr: end.mrr - (mrr?.start ?? 0),
      newCustomers: mrr?.newCustomers ?? 0, churnedCustomers: mrr?.churnedCustomers ?? 0,
      refunds: cash?.refunds ?? 0, netCash: cash?.net ?? 0, recoveredRevenue: failed?.recoveredRevenue ?? 0,
      customerChurnRate, grossMrrChurnRate: churn?.grossMrrChurnRate ?? zero, netMrrChurnRate: churn?.netMrrChurnRate ?? zero,
      nrr: churn?.nrr ?? zero, grr: churn?.grr ?? zero, trialConversion: trial?.rate ?? zero, failedPaymentRate: failed?.rate ?? zero,
    };
  };
  const a = await period(r);
  const b = await period(prev);
  const n = (value: number, previous: number): Kpi<number> => ({ value, previous, change: value - previous });
  const rt = (value: Ratio, previous: Ratio): Kpi<Ratio> => ({ value, previous, change: value.value === null || previous.value === null ? null : value.value - previous.value });
  return {
    currency: snapInfo.currency, from: r.from, to: r.to, previousFrom: prev.from, previousTo: prev.to,
    kpis: {
      mrr: n(a.mrr, b.mrr), arr: n(a.mrr * 12, b.mrr * 12), customers: n(a.customers, b.customers), arpa: n(a.arpa, b.arpa), ltv: n(a.ltv, b.ltv),
      newMrr: n(a.newMrr, b.newMrr), churnedMrr: n(a.churnedMrr, b.churnedMrr), netNewMrr: n(a.netNewMrr, b.netNewMrr),
      newCustomers: n(a.newCustomers, b.newCustomers), churnedCustomers: n(a.churnedCustomers, b.churnedCustomers),
      refunds: n(a.refunds, b.refunds), netCash: n(a.netCash, b.netCash), recoveredRevenue: n(a.recoveredRevenue, b.recoveredRevenue),
      customerChurnRate: rt(a.customerChurnRate, b.customerChurnRate), grossMrrChurnRate: rt(a.grossMrrChurnRate, b.grossMrrChurnRate),
      netMrrChurnRate: rt(a.netMrrChurnRate, b.netMrrChurnRate), nrr: rt(a.nrr, b.nrr), grr: rt(a.grr, b.grr),
      trialConversion: rt(a.trialConversion, b.trialConversion), failedPaymentRate: rt(a.failedPaymentRate, b.failedPaymentRate),
    },
  };
}

// ---------------------------------------------------------------------------------------------- plans

async function planTableUncached(deps: QueryDeps, orgId: string, q: { filters?: Filters }): Promise<PlanRow[]> {
  return withOrg(deps.db, orgId, async (tx) => {
    const snap = await snapshot(deps, tx, orgId);
    const cache = await deps.cache.get(tx, orgId, snap.state);
    // One row per price and currency: a price with currency_options bills each customer in the customer's
    // currency, and native amounts in different currencies cannot be added up.
    const totals = new Map<string, { priceId: string; mrr: number; native: number; currency: string; subscriptions: number; customers: number }>();
    for (const c of selected(cache, q.filters)) {
      for (const [priceId, p] of Object.entries(c.planMrr)) {
        const key = `${priceId}|${p.currency.toLowerCase()}`;
        const t = totals.get(key) ?? { priceId, mrr: 0, native: 0, currency: p.currency, subscriptions: 0, customers: 0 };
        t.mrr += p.mrr;
        t.native += p.native;
        t.subscriptions += p.subscriptions;
        t.customers += 1;
        totals.set(key, t);
      }
    }
    if (totals.size === 0) return [];
    const { rows } = await sql<Row>`select p.id, p.product_id, p.currency, p.recurring_interval, p.recurring_interval_count, pr.name, p.payload_encrypted
      from stripe_prices p left join stripe_products pr on pr.connection_id = p.connection_id and pr.id = p.product_id
      where p.id = any(${[...new Set([...totals.values()].map((t) => t.priceId))]})`.execute(tx);
    const info = new Map(rows.map((r) => [String(r['id']), r]));
    const nicknames = new Map<string, string | null>();
    for (const r of rows) nicknames.set(String(r['id']), await readPayloadText(deps.crypto, orgId, 'stripe_prices', String(r['id']), r['payload_encrypted'], 'nickname', tx));
    const all = [...totals.values()].reduce((s, t) => s + t.mrr, 0);
    return [...totals.values()].map((t) => {
      const { priceId } = t;
      const r = info.get(priceId);
      return {
        priceId, productId: (r?.['product_id'] as string | null) ?? null, productName: (r?.['name'] as string | null) ?? null, nickname: nicknames.get(priceId) ?? null,
        currency: t.currency.toUpperCase(), interval: (r?.['recurring_interval'] as string | null) ?? null,
        intervalCount: r?.['recurring_interval_count'] === undefined || r?.['recurring_interval_count'] === null ? null : Number(r['recurring_interval_count']),
        subscriptions: t.subscriptions, customers: t.customers, mrr: t.mrr, nativeMrr: t.native, share: ratio(t.mrr, all),
      };
    }).sort((a, b) => b.mrr - a.mrr || (a.priceId < b.priceId ? -1 : a.priceId > b.priceId ? 1 : a.currency < b.currency ? -1 : 1));
  });
}

// ---------------------------------------------------------------------------------------------- customers

export type CustomerSort = 'name' | 'email' | 'mrr' | 'firstPaidDate' | 'country' | 'status';

export interface CustomerQuery {
  q?: string;
  status?: string[];
  sort?: CustomerSort;
  order?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
  filters?: Filters;
}

// The cache holds the stored status as text; the lists never include 'excluded' customers, so it is one of the four.
const item = (c: CachedCustomer): CustomerItem => ({
  id: c.customerId, accountId: c.accountId, name: c.name, email: c.email, country: c.country, status: c.status as CustomerStatus, mrr: c.mrr, native: c.native,
  currencies: c.currencies, plans: c.plans.filter((p) => !p.startsWith('prod_')), billingIntervals: c.billingIntervals, firstPaidDate: c.firstPaidDate, createdAt: c.created,
});

export async function customerList(deps: QueryDeps, orgId: string, q: CustomerQuery): Promise<CustomerPage> {
  return withOrg(deps.db, orgId, async (tx) => {
    const snap = await snapshot(deps, tx, orgId);
    const cache = await deps.cache.get(tx, orgId, snap.state);
    const needle = q.q?.trim().toLowerCase() ?? '';
    let list = selected(cache, q.filters).filter((c) => c.status !== 'excluded');
    if (needle) list = list.filter((c) => c.haystack.includes(needle));
    if (q.status?.length) list = list.filter((c) => q.status?.includes(c.status));
    const sort = q.sort ?? 'mrr';
    const order = q.order ?? (sort === 'mrr' ? 'desc' : 'asc');
    const key = (c: CachedCustomer): string | number => (sort === 'mrr' ? c.mrr : sort === 'name' ? (c.name ?? '').toLowerCase() : sort === 'email' ? (c.email ?? '').toLowerCase()
      : sort === 'firstPaidDate' ? c.firstPaidDate ?? '' : sort === 'country' ? c.country ?? '' : c.status);
    const dir = order === 'asc' ? 1 : -1;
    list.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
    });
    const pageSize = q.pageSize ?? 50;
    const page = q.page ?? 1;
    return { currency: snap.currency, total: list.length, page, pageSize, items: list.slice((page - 1) * pageSize, page * pageSize).map(item) };
  });
}

/** Every customer of the list query (exports). */
export async function allCustomers(deps: QueryDeps, orgId: string, q: CustomerQuery): Promise<{ currency: string; items: CustomerItem[] }> {
  const first = await customerList(deps, orgId, { ...q, page: 1, pageSize: Number.MAX_SAFE_INTEGER });
  return { currency: first.currency, items: first.items };
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/**
 * A subscription's MRR at the snapshot day from the customer's per-plan figures: its own part of each of its
 * prices. Snapshots computed before parts were kept per subscription give each subscription on a price an
 * equal share (until the next recompute).
 */
export function subscriptionMrr(subscriptionId: string, priceIds: string[], byPrice: Record<string, PlanContribution>): { mrr: number; nativeMrr: number } {
  let mrr = 0;
  let nativeMrr = 0;
  for (const priceId of new Set(priceIds)) {
    const plan = byPrice[priceId];
    if (!plan) continue;
    const own = plan.bySubscription?.[subscriptionId];
    const n = Math.max(1, plan.subscriptions);
    mrr += own ? own.mrr : plan.bySubscription ? 0 : plan.mrr / n;
    nativeMrr += own ? own.native : plan.bySubscription ? 0 : plan.native / n;
  }
  return { mrr: Math.round(mrr), nativeMrr: Math.round(nativeMrr) };
}

export async function customerDetail(deps: QueryDeps, orgId: string, customerId: string, account?: string): Promise<CustomerDetail> {
  return withOrg(deps.db, orgId, async (tx) => {
    const snap = await snapshot(deps, tx, orgId);
    const cache = await deps.cache.get(tx, orgId, snap.state, { series: true });
    const c = [...cache.customers.values()].find((x) => x.customerId === customerId && (!account || x.accountId === account) && x.status !== 'excluded');
    if (!c || !c.connectionId) throw new QueryError(404, 'customer not found', 'customer_not_found');
    const timeline: TimelinePoint[] = (cache.points?.get(c.key) ?? []).filter((p) => p.date <= snap.today).map((p) => {
      const kinds = (Object.keys(p.movements) as MovementKind[]).filter((k) => p.movements[k] !== 0);
      return {
        date: p.date, mrr: p.mrr, native: p.native, kind: kinds.length === 0 ? null : kinds.length === 1 ? toApiKind(kinds[0] as MovementKind) : 'mixed',
        new: p.movements.new, expansion: p.movements.expansion, contraction: p.movements.contraction, churn: p.movements.churn, reactivation: p.movements.reactivation, currencyAdjustment: p.movements.fx,
      };
    });
    const conn = c.connectionId;
    const { rows: subs } = await sql<Row>`select id, status, currency, start_date, trial_end, cancel_at_period_end, cancel_at, canceled_at, ended_at
      from stripe_subscriptions where connection_id = ${conn} and customer_id = ${customerId} and not deleted order by created desc`.execute(tx);
    const subIds = subs.map((s) => String(s['id']));
    const { rows: items } = subIds.length === 0 ? { rows: [] as Row[] } : await sql<Row>`select i.subscription_id, i.price_id, i.quantity, i.current_period_end,
        p.product_id, p.recurring_interval, p.recurring_interval_count, p.unit_amount, p.currency, p.payload_encrypted, pr.name
      from stripe_subscription_items i left join stripe_prices p on p.connection_id = i.connection_id and p.id = i.price_id
      left join stripe_products pr on pr.connection_id = p.connection_id and pr.id = p.product_id
      where i.connection_id = ${conn} and i.subscription_id = any(${subIds})`.execute(tx);
    const { rows: invoices } = await sql<Row>`select id, status, currency, amount_due, amount_paid, total, created, attempt_count, payload_encrypted,
        (select min(l.period_start) from stripe_invoice_lines l where l.connection_id = i.connection_id and l.invoice_id = i.id) as period_start,
        (select max(l.period_end) from stripe_invoice_lines l where l.connection_id = i.connection_id and l.invoice_id = i.id) as period_end
      from stripe_invoices i where connection_id = ${conn} and customer_id = ${customerId} and not deleted order by created desc, id limit 100`.execute(tx);
    // Invoice numbers have no column: read from the payloads of the (at most 100) invoices shown.
    const numbers: (string | null)[] = [];
    for (const i of invoices) numbers.push(await readPayloadText(deps.crypto, orgId, 'stripe_invoices', String(i['id']), i['payload_encrypted'], 'number', tx));
    const objectIds = [customerId, ...subIds, ...invoices.map((i) => String(i['id']))];
    const { rows: events } = await sql<Row>`select id, type, created from stripe_events where connection_id = ${conn} and object_id = any(${objectIds})
      order by created desc, id desc limit 100`.execute(tx);
    // An item on a price in another currency than its subscription is billed from the price's currency_options
    // (read from the payload of the few prices shown): show that amount, in the currency actually billed.
    const subCurrency = new Map(subs.map((s) => [String(s['id']), String(s['currency'] ?? '').toLowerCase()]));
    for (const i of items) {
      const billed = subCurrency.get(String(i['subscription_id'])) ?? '';
      if (billed === '' || String(i['currency'] ?? '').toLowerCase() === billed) continue;
      const payload = await readPayload(deps.crypto, orgId, 'stripe_prices', String(i['price_id']), i['payload_encrypted'], tx);
      const option = forCurrency(payload?.['currency_options'] as Record<string, { unit_amount?: unknown }> | undefined, billed);
      i['unit_amount'] = typeof option?.unit_amount === 'number' ? option.unit_amount : null;
      i['currency'] = billed;
    }
    const mrrByPrice = c.planMrr;
    return {
      customer: { ...item(c), metadata: c.metadata },
      currency: snap.currency,
      timeline,
      subscriptions: subs.map((s): SubscriptionView => {
        const its = items.filter((i) => i['subscription_id'] === s['id']);
        const live = s['status'] !== 'canceled' && s['status'] !== 'incomplete_expired';
        const { mrr, nativeMrr } = live ? subscriptionMrr(String(s['id']), its.map((i) => String(i['price_id'])), mrrByPrice) : { mrr: 0, nativeMrr: 0 };
        return {
          id: s['id'] as string, status: s['status'] as string | null, currency: String(s['currency'] ?? '').toUpperCase(), mrr, nativeMrr,
          startDate: iso(s['start_date']), trialEnd: iso(s['trial_end']), cancelAtPeriodEnd: s['cancel_at_period_end'] === true, cancelAt: iso(s['cancel_at']),
          canceledAt: iso(s['canceled_at']), endedAt: iso(s['ended_at']), currentPeriodEnd: iso(its[0]?.['current_period_end']),
          items: its.map((i) => ({
            priceId: i['price_id'] as string | null, productId: (i['product_id'] as string | null) ?? null, productName: (i['name'] as string | null) ?? null, quantity: i['quantity'] === null ? null : Number(i['quantity']),
            interval: (i['recurring_interval'] as string | null) ?? null, intervalCount: i['recurring_interval_count'] === null || i['recurring_interval_count'] === undefined ? null : Number(i['recurring_interval_count']),
            unitAmount: i['unit_amount'] === null || i['unit_amount'] === undefined ? null : Number(i['unit_amount']), currency: String(i['currency'] ?? '').toUpperCase(),
          })),
        };
      }),
      invoices: invoices.map((i, n): InvoiceView => ({
        id: i['id'] as string, number: numbers[n] ?? null, status: i['status'] as string | null, currency: String(i['currency'] ?? '').toUpperCase(), amountDue: Number(i['amount_due'] ?? 0),
        amountPaid: Number(i['amount_paid'] ?? 0), total: Number(i['total'] ?? 0), created: iso(i['created']), periodStart: iso(i['period_start']),
        periodEnd: iso(i['period_end']), attemptCount: Number(i['attempt_count'] ?? 0),
      })),
      events: events.map((e): StripeEventView => ({ id: e['id'] as string, type: e['type'] as string, created: iso(e['created']) })),
    };
  });
}

// ---------------------------------------------------------------------------------------------- movements

export async function movements(
  deps: QueryDeps, orgId: string, q: { from?: string; to?: string; kind?: ApiMovementKind[]; page?: number; pageSize?: number; filters?: Filters },
): Promise<MovementPage> {
  return withOrg(deps.db, orgId, async (tx) => {
    const snap = await snapshot(deps, tx, orgId);
    const r = resolveRange(snap, q.from, q.to);
    const { cache, series } = await allSeries(deps, tx, snap, q.filters);
    const kinds = new Set((q.kind?.length ? q.kind : API_MOVEMENT_KINDS).map(toEngineKind));
    const lines = movementsBehind(series, r.from, r.to).filter((l) => kinds.has(l.kind));
    const pageSize = q.pageSize ?? 50;
    const page = q.page ?? 1;
    const items = lines.slice((page - 1) * pageSize, page * pageSize).map((l) => {
      const c = cache.customers.get(l.key);
      return { date: l.date, customerId: l.customerId, accountId: l.accountId ?? null, name: c?.name ?? null, email: c?.email ?? null, kind: toApiKind(l.kind), amount: l.amount, mrr: l.mrr, native: l.native };
    });
    return { currency: snap.currency, total: lines.length, totalAmount: lines.reduce((s, l) => s + l.amount, 0), page, pageSize, items };
  });
}

// ---------------------------------------------------------------------------------------------- cached answers

/**
 * Wraps a read in the response cache: one stamp query decides whether the cached answer is still the one the
 * database would give (see response-cache.ts). A miss computes as before — including the staleness check that
 * queues a recompute, which therefore runs at least once for every state the stamp can name.
 */
function cached<Q, T>(name: string, fn: (deps: QueryDeps, orgId: string, q: Q) => Promise<T>): (deps: QueryDeps, orgId: string, q: Q) => Promise<T> {
  return async (deps, orgId, q) => {
    const responses = deps.responses;
    if (!responses) return fn(deps, orgId, q);
    const stamp = await withOrg(deps.db, orgId, (tx) => readStamp(tx, orgId));
    const today = dayOf(Math.floor(deps.clock().getTime() / 1000), stamp.timezone);
    return responses.getOrCompute(orgId, `${stamp.hash}|${today}|${name}|${stableKey(q)}`, () => fn(deps, orgId, q));
  };
}

const cachedStatus = cached('status', metricsStatusUncached);
export const metricsStatus = (deps: QueryDeps, orgId: string): Promise<StatusView> => cachedStatus(deps, orgId, {});
export const summary = cached('summary', summaryUncached);
export const mrrSeries = cached('mrr', mrrSeriesUncached);
export const churnSeries = cached('churn', churnSeriesUncached);
export const cohortTable = cached('cohorts', cohortTableUncached);
export const trialSeries = cached('trials', trialSeriesUncached);
export const failedPaymentSeries = cached('failed-payments', failedPaymentSeriesUncached);
export const cashSeries = cached('cash', cashSeriesUncached);
export const kpis = cached('kpis', kpisUncached);
export const planTable = cached('plans', planTableUncached);
