// Materialisation: a full recompute of an organisation's snapshot, and the incremental recompute of one
// customer after a webhook or poll changed their subscription, invoice or payments.
//
// Full: load (one read transaction) → engine per customer → one write transaction that replaces every
// snapshot row, bumps the version and marks the state ready. Customers whose Stripe rows changed while it
// ran are then recomputed incrementally, so a change that raced the recompute is never lost.
// Incremental: under the state row's lock (one update per organisation at a time) recompute the customer's
// whole series with the snapshot's rules and FX table, add the delta to the daily aggregates, and replace
// the customer's points and facts. The FX table (Stripe's rates and/or the imported file, by the
// organisation's source setting) is refreshed by full recomputes only (daily, after a backfill, after an
// import), so all stored series always share one table.
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg, type Tx } from '../db/tenant.js';
import {
  accumulate, accumulator, addDays, buildFxTable, customerKey, dayOf, finish, resolveOptions, seriesDelta, type EngineOptions, type FxTable,
} from '../metrics/index.js';
import { computeCustomers } from './compute.js';
import { chooseFxRates } from './fx-import.js';
import { readFxImport } from './fx-import-store.js';
import { buildFxRates } from './fx-rates.js';
import { loadConnections, loadOrgData, type AnalyticsCrypto, type Connection, type LoadScope } from './load.js';
import { engineOptions, readSettings, settingsHash } from './settings.js';
import {
  applyDayDelta, clearSnapshot, deleteCustomer, lockState, readFxRates, readSeries, readState, setStatus, writeCustomers, writeDays, writeFacts, writeFxRates,
  type StateRow,
} from './store.js';

export interface MaterialiseDeps {
  db: Db;
  crypto: AnalyticsCrypto;
  clock: Clock;
  logger?: Logger;
}

/** Days after today the snapshot covers (known scheduled changes), so it stays valid past midnight. */
export const FUTURE_DAYS = 7;

export interface FullResult {
  customers: number;
  days: number;
  version: number;
  ms: { load: number; compute: number; write: number };
  warnings: string[];
}

export async function fullRecompute(deps: MaterialiseDeps, orgId: string): Promise<FullResult> {
  const started = deps.clock();
  await withOrg(deps.db, orgId, (tx) => setStatus(tx, orgId, { status: 'computing', startedAt: started }, started));
  try {
    const t0 = performance.now();
    const { data, options, connections, watermark, fxSource, fxImport } = await withOrg(deps.db, orgId, async (tx) => {
      const watermark = await syncWatermark(tx);
      const connections = await loadConnections(tx);
      const settings = await readSettings(tx, orgId);
      const options = engineOptions(settings, connections.values());
      const data = await loadOrgData(tx, deps.crypto, orgId, connections, null);
      const fxImport = settings.fxSource === 'stripe' ? { quoteCurrency: null, rates: [] } : await readFxImport(tx, orgId);
      return { data, options, connections, watermark, fxSource: settings.fxSource, fxImport };
    });
    const t1 = performance.now();
    const tz = options.timezone;
    const today = dayOf(Math.floor(deps.clock().getTime() / 1000), tz);
    const fromStripe = buildFxRates(data.conversions, options.reportingCurrency, tz);
    const chosen = chooseFxRates(fromStripe.rates, fxImport.rates, fxImport.quoteCurrency, fxSource, options.reportingCurrency);
    const fxBuilt = { rates: chosen.rates, warnings: [...fromStripe.warnings, ...chosen.warnings] };
    const fx = buildFxTable(fxBuilt.rates, options.reportingCurrency);
    let from = today;
    for (const s of data.subscriptions) {
      const first = s.versions[0];
      if (first) {
        const d = dayOf(first.validFrom, tz);
        if (d < from) from = d;
      }
    }
    const range = { from, to: addDays(today, FUTURE_DAYS) };
    const result = computeCustomers(data, options, fx, range, today);
    const acc = accumulator(options.reportingCurrency, range.from, range.to);
    for (const c of result.customers) accumulate(acc, c.series, 1);
    const agg = finish(acc);
    const t2 = performance.now();
    const warnings = [...new Set([...data.warnings, ...fxBuilt.warnings, ...result.warnings])].slice(0, 50);
    const version = await withOrg(deps.db, orgId, async (tx) => {
      const state = await lockState(tx, orgId, deps.clock());
      const version = state.version + 1;
      // computed_at identifies a full snapshot: readers' caches reload everything when it changes, and only
      // what a higher version wrote when it does not. So it must differ from the last one even when two
      // recomputes read the same clock (a frozen or coarse clock, another instance's skew), or a customer the
      // new snapshot left out (a disconnect, an exclusion) would stay in a reader's cache.
      const clockNow = deps.clock();
      const last = state.computedAt?.getTime() ?? -Infinity;
      const now = clockNow.getTime() > last ? clockNow : new Date(last + 1);
      await clearSnapshot(tx, orgId);
      await writeDays(tx, orgId, agg.days);
      await writeCustomers(tx, orgId, result.customers.map((c) => ({ attributes: c.attributes, series: c.series, trials: c.trials })), today, version, now);
      await writeFacts(tx, orgId, result.invoices, result.cash);
      await writeFxRates(tx, orgId, fxBuilt.rates);
      await tx.updateTable('analytics_state').set({
        version, status: connections.size === 0 ? 'empty' : 'ready', currency: options.reportingCurrency, timezone: tz, range_from: range.from, range_to: range.to,
        settings_hash: settingsHash(options), options: JSON.stringify(options), opening_mrr: agg.opening.mrr, opening_paying: agg.opening.payingCustomers,
        computed_at: now, last_error: null, warnings: JSON.stringify(warnings), updated_at: now,
      }).where('org_id', '=', orgId).execute();
      return version;
    });
    const t3 = performance.now();
    // changes that landed while this ran: recompute those customers on top of the new snapshot
    const changed = await withOrg(deps.db, orgId, (tx) => changedCustomersSince(tx, watermark));
    for (const scope of changed) await recomputeCustomerSnapshot(deps, orgId, scope);
    return { customers: result.customers.length, days: agg.days.length, version, ms: { load: t1 - t0, compute: t2 - t1, write: t3 - t2 }, warnings };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await withOrg(deps.db, orgId, (tx) => setStatus(tx, orgId, { status: 'failed', lastError: message.slice(0, 500) }, deps.clock())).catch(() => undefined);
    throw error;
  }
}

/** The newest synced_at of the rows a customer's figures depend on (read before loading them). */
async function syncWatermark(tx: Tx): Promise<string | null> {
  const { rows } = await sql<{ t: string | null }>`select max(t)::text as t from (
    select max(synced_at) as t from stripe_subscriptions union all select max(synced_at) from stripe_invoices
    union all select max(synced_at) from stripe_charges union all select max(synced_at) from stripe_customers) x`.execute(tx);
  return rows[0]?.t ?? null;
}

/** Customers (connection, id) whose subscription, invoice, customer or charge rows were written after the watermark. */
async function changedCustomersSince(tx: Tx, watermark: string | null): Promise<LoadScope[]> {
  if (watermark === null) return [];
  const t = watermark;
  const { rows } = await sql<{ connection_id: string; customer_id: string }>`
    select connection_id, customer_id from stripe_subscriptions where synced_at > ${t}::timestamptz and customer_id is not null
    union select connection_id, customer_id from stripe_invoices where synced_at > ${t}::timestamptz and customer_id is not null
    union select connection_id, customer_id from stripe_charges where synced_at > ${t}::timestamptz and customer_id is not null
    union select connection_id, id from stripe_customers where synced_at > ${t}::timestamptz`.execute(tx);
  return rows.map((r) => ({ connectionId: r.connection_id, customerId: r.customer_id }));
}

interface IncrementalContext {
  computedAt: number;
  connections: Map<string, Connection>;
  options: EngineOptions;
  fx: FxTable;
}

// What every incremental update of an organisation shares until the next full recompute (the FX table and
// the rules are the snapshot's): kept per process, keyed by the snapshot's computed_at.
const contexts = new Map<string, IncrementalContext>();

async function incrementalContext(tx: Tx, orgId: string, state: StateRow): Promise<IncrementalContext | null> {
  const computedAt = state.computedAt?.getTime() ?? 0;
  const connections = await loadConnections(tx);
  const current = engineOptions(await readSettings(tx, orgId), connections.values());
  if (settingsHash(current) !== state.settingsHash || !state.currency) return null;
  const hit = contexts.get(orgId);
  if (hit && hit.computedAt === computedAt) return { ...hit, connections };
  const ctx = { computedAt, connections, options: resolveOptions(state.options as EngineOptions), fx: buildFxTable(await readFxRates(tx, orgId), state.currency) };
  if (contexts.size > 64) contexts.clear();
  contexts.set(orgId, ctx);
  return ctx;
}

export type IncrementalOutcome = 'updated' | 'unchanged' | 'no-snapshot' | 'needs-full';

export interface IncrementalResult {
  outcome: IncrementalOutcome;
  version?: number;
  ms: number;
}

/**
 * Recomputes one customer and applies the difference to the snapshot. Returns 'needs-full' when the rules
 * changed since the snapshot (settings) or the customer's history now starts before the snapshot's range.
 */
export async function recomputeCustomerSnapshot(deps: MaterialiseDeps, orgId: string, scope: LoadScope): Promise<IncrementalResult> {
  const t0 = performance.now();
  const outcome = await withOrg(deps.db, orgId, async (tx): Promise<{ outcome: IncrementalOutcome; version?: number }> => {
    const state = await readState(tx, orgId, true);
    if (!state || !state.rangeFrom || !state.rangeTo || state.status === 'empty' || !state.currency) return { outcome: 'no-snapshot' };
    const ctx = await incrementalContext(tx, orgId, state);
    if (!ctx) return { outcome: 'needs-full' };
    const { connections, options, fx } = ctx;
    const connection = connections.get(scope.connectionId);
    if (!connection) return { outcome: 'needs-full' };
    const range = { from: state.rangeFrom, to: state.rangeTo };
    const data = await loadOrgData(tx, deps.crypto, orgId, connections, scope);
    for (const s of data.subscriptions) {
      const first = s.versions[0];
      if (first && dayOf(first.validFrom, options.timezone) < range.from) return { outcome: 'needs-full' };
    }
    const key = customerKey(connection.accountId, scope.customerId);
    const today = dayOf(Math.floor(deps.clock().getTime() / 1000), options.timezone);
    const result = computeCustomers(data, options, fx, range, today);
    const fresh = result.customers.find((c) => c.attributes.key === key) ?? null;
    const previous = await readSeries(tx, orgId, key, range);
    const now = deps.clock();
    const version = state.version + 1;
    if (previous || fresh) {
      const delta = seriesDelta(state.currency, previous, fresh?.series ?? null);
      await applyDayDelta(tx, orgId, delta.days);
      if (delta.opening.mrr !== 0 || delta.opening.payingCustomers !== 0) {
        await sql`update analytics_state set opening_mrr = opening_mrr + ${delta.opening.mrr}, opening_paying = opening_paying + ${delta.opening.payingCustomers}
          where org_id = ${orgId}`.execute(tx);
      }
    }
    await deleteCustomer(tx, orgId, key);
    const record = data.customers.find((c) => c.key === key);
    if (fresh) {
      await writeCustomers(tx, orgId, [{ attributes: fresh.attributes, series: fresh.series, trials: fresh.trials }], today, version, now);
    } else if (previous || record) {
      // a tombstone, so readers' caches learn the customer left the figures
      await writeCustomers(tx, orgId, [{
        attributes: { key, connectionId: scope.connectionId, accountId: connection.accountId, customerId: scope.customerId, status: 'never', country: record?.country ?? null, currencies: [], plans: [], billingIntervals: [], planMrr: {}, created: record?.created ?? null },
        series: null, trials: [],
      }], today, version, now);
    }
    await writeFacts(tx, orgId, result.invoices.filter((i) => i.customerKey === key), result.cash.filter((c) => c.customerKey === key));
    await tx.updateTable('analytics_state').set({ version, last_incremental_at: now, updated_at: now }).where('org_id', '=', orgId).execute();
    return { outcome: previous || fresh ? 'updated' : 'unchanged', version };
  });
  return { ...outcome, ms: performance.now() - t0 };
}
