// Reads and writes of the snapshot tables. Bulk writes are multi-row INSERTs in chunks; every statement runs
// in the caller's org-scoped transaction, and also names org_id explicitly (RLS is the safety net).
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../db/tenant.js';
import { MOVEMENT_KINDS, type CustomerPoint, type CustomerSeries, type FxRateInput, type OrgDay } from '../metrics/index.js';
import type { SnapshotStatus } from './analytics.table.js';
import type { CashFact, CustomerAttributes, InvoiceFact, TrialFact } from './compute.js';

const CHUNK = 500;
type Row = Record<string, unknown>;

export async function insertMany(tx: Tx, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const values = sql.join(chunk.map((r) => sql`(${sql.join(r.map((v) => (v as RawBuilder<unknown> | unknown)))})`));
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${values}`.execute(tx);
  }
}

const json = (v: unknown): RawBuilder<unknown> => sql`${JSON.stringify(v)}::jsonb`;
const textArray = (v: string[]): RawBuilder<unknown> => sql`${v}::text[]`;
const date = (v: string | null): RawBuilder<unknown> => (v === null ? sql`null::date` : sql`${v}::date`);

export interface StateRow {
  version: number;
  status: SnapshotStatus;
  currency: string | null;
  timezone: string | null;
  rangeFrom: string | null;
  rangeTo: string | null;
  settingsHash: string | null;
  options: unknown;
  openingMrr: number;
  openingPaying: number;
  startedAt: Date | null;
  computedAt: Date | null;
  lastIncrementalAt: Date | null;
  lastError: string | null;
  warnings: string[];
}

export async function readState(tx: Tx, orgId: string, forUpdate = false): Promise<StateRow | null> {
  const { rows } = await sql<Row>`select version::text as version, status, currency, timezone, range_from::text as range_from, range_to::text as range_to,
    settings_hash, options, opening_mrr::text as opening_mrr, opening_paying, started_at, computed_at, last_incremental_at, last_error, warnings
    from analytics_state where org_id = ${orgId} ${forUpdate ? sql`for update` : sql``}`.execute(tx);
  const r = rows[0];
  if (!r) return null;
  const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
  const ts = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));
  return {
    version: Number(r['version']), status: r['status'] as SnapshotStatus, currency: (r['currency'] as string | null) ?? null, timezone: (r['timezone'] as string | null) ?? null,
    rangeFrom: (r['range_from'] as string | null) ?? null, rangeTo: (r['range_to'] as string | null) ?? null, settingsHash: (r['settings_hash'] as string | null) ?? null,
    options: parse(r['options']), openingMrr: Number(r['opening_mrr']), openingPaying: Number(r['opening_paying']), startedAt: ts(r['started_at']),
    computedAt: ts(r['computed_at']), lastIncrementalAt: ts(r['last_incremental_at']), lastError: (r['last_error'] as string | null) ?? null,
    warnings: (parse(r['warnings']) as string[] | null) ?? [],
  };
}

/** Creates the state row if missing; returns it locked. */
export async function lockState(tx: Tx, orgId: string, now: Date): Promise<StateRow> {
  await sql`insert into analytics_state (org_id, status, updated_at) values (${orgId}, 'empty', ${now}) on conflict (org_id) do nothing`.execute(tx);
  return (await readState(tx, orgId, true)) as StateRow;
}

export async function setStatus(tx: Tx, orgId: string, patch: { status?: SnapshotStatus; startedAt?: Date | null; lastError?: string | null }, now: Date): Promise<void> {
  await lockState(tx, orgId, now);
  await tx.updateTable('analytics_state').set({
    ...(patch.status ? { status: patch.status } : {}),
    ...(patch.startedAt !== undefined ? { started_at: patch.startedAt } : {}),
    ...(patch.lastError !== undefined ? { last_error: patch.lastError } : {}),
    updated_at: now,
  }).where('org_id', '=', orgId).execute();
}

const CUSTOMER_COLUMNS = ['org_id', 'customer_key', 'connection_id', 'account_id', 'customer_id', 'status', 'mrr', 'native', 'first_paid_date', 'opening_mrr',
  'opening_paying', 'opening_native', 'country', 'currencies', 'plans', 'billing_intervals', 'plan_mrr', 'customer_created', 'version', 'updated_at'];

function customerRow(orgId: string, a: CustomerAttributes, s: CustomerSeries | null, today: string, version: number, now: Date): unknown[] {
  let cur: CustomerPoint | null = s ? s.opening : null;
  if (s) for (const p of s.points) if (p.date <= today) cur = p;
  return [orgId, a.key, a.connectionId, a.accountId, a.customerId, s ? a.status : 'excluded', cur?.mrr ?? 0, json(cur?.native ?? {}), date(s?.firstPaidDate ?? null),
    s?.opening.mrr ?? 0, s?.opening.paying ?? false, json(s?.opening.native ?? {}), a.country, textArray(a.currencies), textArray(a.plans),
    textArray(a.billingIntervals), json(a.planMrr), a.created === null ? null : new Date(a.created * 1000), version, now];
}

const POINT_COLUMNS = ['org_id', 'customer_key', 'day', 'mrr', 'mrr_delta', 'paying', 'paying_delta', ...MOVEMENT_KINDS, 'event', 'native'];

function pointRows(orgId: string, s: CustomerSeries): unknown[][] {
  const out: unknown[][] = [];
  let prev = s.opening;
  for (const p of s.points) {
    out.push([orgId, s.key, date(p.date), p.mrr, p.mrr - prev.mrr, p.paying, (p.paying ? 1 : 0) - (prev.paying ? 1 : 0), ...MOVEMENT_KINDS.map((k) => p.movements[k]), p.event, json(p.native)]);
    prev = p;
  }
  return out;
}

export interface CustomerWrite {
  attributes: CustomerAttributes;
  series: CustomerSeries | null;
  trials: TrialFact[];
}

export async function writeCustomers(tx: Tx, orgId: string, customers: CustomerWrite[], today: string, version: number, now: Date): Promise<void> {
  await insertMany(tx, 'analytics_customers', CUSTOMER_COLUMNS, customers.map((c) => customerRow(orgId, c.attributes, c.series, today, version, now)));
  await insertMany(tx, 'analytics_points', POINT_COLUMNS, customers.flatMap((c) => (c.series ? pointRows(orgId, c.series) : [])));
  await insertMany(tx, 'analytics_trials', ['org_id', 'subscription_key', 'customer_key', 'trial_end_day', 'converted_at'],
    customers.flatMap((c) => c.trials.map((t) => [orgId, t.subscriptionKey, t.customerKey, date(t.trialEndDay), t.convertedAt])));
}

export async function writeFacts(tx: Tx, orgId: string, invoices: InvoiceFact[], cash: CashFact[]): Promise<void> {
  await insertMany(tx, 'analytics_invoice_facts', ['org_id', 'invoice_key', 'customer_key', 'currency', 'amount_due', 'first_attempt_day', 'first_failed', 'recovered_day'],
    invoices.map((i) => [orgId, i.key, i.customerKey, i.currency, i.amountDue, date(i.firstAttemptDay), i.firstFailed, date(i.recoveredDay)]));
  await insertMany(tx, 'analytics_cash_facts', ['org_id', 'txn_key', 'customer_key', 'day', 'type', 'currency', 'amount', 'fee'],
    cash.map((c) => [orgId, c.key, c.customerKey, date(c.day), c.type, c.currency, c.amount, c.fee]));
}

export async function writeDays(tx: Tx, orgId: string, days: OrgDay[]): Promise<void> {
  await insertMany(tx, 'analytics_days', ['org_id', 'day', 'mrr', 'paying', ...MOVEMENT_KINDS, 'new_customers', 'churned_customers', 'reactivated_customers'],
    days.map((d) => [orgId, date(d.date), d.mrr, d.payingCustomers, ...MOVEMENT_KINDS.map((k) => d[k]), d.newCustomers, d.churnedCustomers, d.reactivatedCustomers]));
}

export async function writeFxRates(tx: Tx, orgId: string, rates: FxRateInput[]): Promise<void> {
  await insertMany(tx, 'analytics_fx_rates', ['org_id', 'currency', 'day', 'rate'], rates.map((r) => [orgId, r.currency, date(r.date), String(r.rate)]));
}

export async function readFxRates(tx: Tx, orgId: string): Promise<FxRateInput[]> {
  const { rows } = await sql<Row>`select currency, day::text as day, rate from analytics_fx_rates where org_id = ${orgId}`.execute(tx);
  return rows.map((r) => ({ currency: String(r['currency']), date: String(r['day']), rate: String(r['rate']) }));
}

export const SNAPSHOT_TABLES = ['analytics_days', 'analytics_points', 'analytics_customers', 'analytics_fx_rates', 'analytics_invoice_facts', 'analytics_cash_facts', 'analytics_trials'] as const;

export async function clearSnapshot(tx: Tx, orgId: string): Promise<void> {
  for (const t of SNAPSHOT_TABLES) await sql`delete from ${sql.table(t)} where org_id = ${orgId}`.execute(tx);
}

export async function deleteCustomer(tx: Tx, orgId: string, key: string): Promise<void> {
  for (const t of ['analytics_points', 'analytics_customers', 'analytics_trials', 'analytics_invoice_facts', 'analytics_cash_facts']) {
    await sql`delete from ${sql.table(t)} where org_id = ${orgId} and customer_key = ${key}`.execute(tx);
  }
}

/** The stored series of one customer (null when it is not in the aggregates). */
export async function readSeries(tx: Tx, orgId: string, key: string, range: { from: string; to: string }): Promise<CustomerSeries | null> {
  const { rows: cr } = await sql<Row>`select customer_id, account_id, status, first_paid_date::text as first_paid_date, opening_mrr::text as opening_mrr,
    opening_paying, opening_native from analytics_customers where org_id = ${orgId} and customer_key = ${key}`.execute(tx);
  const c = cr[0];
  if (!c || c['status'] === 'excluded') return null;
  const parse = (v: unknown): Record<string, number> => (typeof v === 'string' ? JSON.parse(v) : (v as Record<string, number>)) ?? {};
  const { rows } = await sql<Row>`select day::text as day, mrr::text as mrr, paying, new::text as new, expansion::text as expansion, contraction::text as contraction,
    churn::text as churn, reactivation::text as reactivation, fx::text as fx, event, native from analytics_points where org_id = ${orgId} and customer_key = ${key} order by day`.execute(tx);
  const series: CustomerSeries = {
    key, customerId: String(c['customer_id']), from: range.from, to: range.to, firstPaidDate: (c['first_paid_date'] as string | null) ?? null,
    opening: { date: '', mrr: Number(c['opening_mrr']), native: parse(c['opening_native']), paying: c['opening_paying'] === true, movements: { new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0 }, event: null },
    points: rows.map((r) => ({
      date: String(r['day']), mrr: Number(r['mrr']), paying: r['paying'] === true, native: parse(r['native']),
      movements: { new: Number(r['new']), expansion: Number(r['expansion']), contraction: Number(r['contraction']), churn: Number(r['churn']), reactivation: Number(r['reactivation']), fx: Number(r['fx']) },
      event: (r['event'] as CustomerPoint['event']) ?? null,
    })),
  };
  if (c['account_id']) series.accountId = String(c['account_id']);
  return series;
}

/** Adds a delta to the stored daily aggregates (one UPDATE … FROM VALUES per chunk). */
export async function applyDayDelta(tx: Tx, orgId: string, days: OrgDay[]): Promise<void> {
  for (let i = 0; i < days.length; i += CHUNK) {
    const chunk = days.slice(i, i + CHUNK);
    const values = sql.join(chunk.map((d) => sql`(${d.date}::date, ${d.mrr}::bigint, ${d.payingCustomers}::int, ${d.new}::bigint, ${d.expansion}::bigint,
      ${d.contraction}::bigint, ${d.churn}::bigint, ${d.reactivation}::bigint, ${d.fx}::bigint, ${d.newCustomers}::int, ${d.churnedCustomers}::int, ${d.reactivatedCustomers}::int)`));
    await sql`update analytics_days as d set mrr = d.mrr + v.mrr, paying = d.paying + v.paying, new = d.new + v.new, expansion = d.expansion + v.expansion,
      contraction = d.contraction + v.contraction, churn = d.churn + v.churn, reactivation = d.reactivation + v.reactivation, fx = d.fx + v.fx,
      new_customers = d.new_customers + v.nc, churned_customers = d.churned_customers + v.cc, reactivated_customers = d.reactivated_customers + v.rc
      from (values ${values}) as v(day, mrr, paying, new, expansion, contraction, churn, reactivation, fx, nc, cc, rc)
      where d.org_id = ${orgId} and d.day = v.day`.execute(tx);
  }
}
