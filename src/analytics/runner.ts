// Runs materialisation work. Per organisation, one thing at a time in this process: full recomputes and
// incremental customer updates are queued per organisation and run in order (a full recompute absorbs the
// customer updates queued before it started). Incremental updates always run in the process that applied
// the Stripe change (seconds, not a queue round-trip). Full recomputes run here too until the deployment's
// job queue is attached (useQueue): then they are pg-boss jobs (`analytics-recompute`, policy 'stately',
// singletonKey = organisation: one queued and one running per organisation across all workers), retried
// with backoff, plus an hourly `analytics-refresh` job that recomputes organisations whose snapshot no longer
// reaches tomorrow (new day, new FX rates).
import type { Logger } from 'pino';
import type { Queue } from '../jobs/queue.js';
import { allConnections } from '../stripe/connections.js';
import { withOrg } from '../db/tenant.js';
import { addDays, dayOf } from '../metrics/index.js';
import type { LoadScope } from './load.js';
import { fullRecompute, recomputeCustomerSnapshot, type FullResult, type MaterialiseDeps } from './materialise.js';
import { readState } from './store.js';

export const RECOMPUTE_QUEUE = 'analytics-recompute';
export const REFRESH_QUEUE = 'analytics-refresh';

export interface RunnerEvents {
  onFull?: (orgId: string, result: FullResult) => void;
  onIncremental?: (orgId: string, key: string, ms: number, outcome: string) => void;
}

export class AnalyticsRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly pendingFull = new Set<string>();
  private readonly pendingCustomers = new Map<string, Map<string, LoadScope>>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  private readonly lastStaleRequest = new Map<string, number>();
  private queue: Queue | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: MaterialiseDeps, private readonly logger: Logger, private readonly events: RunnerEvents = {}) {}

  /** Queue a full recompute (debounced by `delayMs` so bursts of catalogue changes coalesce). */
  requestFull(orgId: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      if (this.debounce.has(orgId)) return;
      const t = setTimeout(() => {
        this.debounce.delete(orgId);
        this.requestFull(orgId);
      }, delayMs);
      t.unref();
      this.debounce.set(orgId, t);
      return;
    }
    if (this.queue) {
      void this.queue.send(RECOMPUTE_QUEUE, { orgId }, { singletonKey: orgId })
        .catch((err: unknown) => this.logger.error({ err: String(err), orgId }, 'could not queue an analytics recompute'));
      return;
    }
    this.pendingFull.add(orgId);
    this.kick(orgId);
  }

  /** A read found the snapshot missing or stale: recompute, at most once a minute per organisation. */
  requestRefresh(orgId: string): void {
    const now = Date.now();
    if ((this.lastStaleRequest.get(orgId) ?? 0) > now - 60_000) return;
    this.lastStaleRequest.set(orgId, now);
    this.requestFull(orgId);
  }

  requestCustomer(orgId: string, scope: LoadScope): void {
    if (this.stopped) return;
    let m = this.pendingCustomers.get(orgId);
    if (!m) this.pendingCustomers.set(orgId, (m = new Map()));
    m.set(`${scope.connectionId}|${scope.customerId}`, scope);
    this.kick(orgId);
  }

  /** Runs a full recompute now, in this organisation's line (the queue worker calls this). */
  async runFull(orgId: string): Promise<void> {
    this.pendingFull.add(orgId);
    this.kick(orgId);
    await this.settled(orgId);
  }

  private kick(orgId: string): void {
    if (this.running.has(orgId)) return;
    const work = this.drain(orgId).finally(() => {
      this.running.delete(orgId);
      if (!this.stopped && (this.pendingFull.has(orgId) || (this.pendingCustomers.get(orgId)?.size ?? 0) > 0)) this.kick(orgId);
    });
    this.running.set(orgId, work);
  }

  private async drain(orgId: string): Promise<void> {
    while (!this.stopped) {
      if (this.pendingFull.delete(orgId)) {
        // the customers queued so far are already in the rows the recompute loads
        this.pendingCustomers.delete(orgId);
        try {
          const result = await fullRecompute(this.deps, orgId);
          this.events.onFull?.(orgId, result);
          this.logger.info({ orgId, customers: result.customers, ms: result.ms }, 'analytics recomputed');
        } catch (err) {
          this.logger.error({ orgId, err: err instanceof Error ? err.message : String(err) }, 'analytics recompute failed');
        }
        continue;
      }
      const pending = this.pendingCustomers.get(orgId);
      if (!pending || pending.size === 0) return;
      const [key, scope] = pending.entries().next().value as [string, LoadScope];
      pending.delete(key);
      try {
        const r = await recomputeCustomerSnapshot(this.deps, orgId, scope);
        this.events.onIncremental?.(orgId, key, r.ms, r.outcome);
        if (r.outcome === 'needs-full' || r.outcome === 'no-snapshot') this.pendingFull.add(orgId);
      } catch (err) {
        this.logger.warn({ orgId, err: err instanceof Error ? err.message : String(err) }, 'analytics incremental update failed; recomputing');
        this.pendingFull.add(orgId);
      }
    }
  }

  /** Resolves when this organisation has nothing running or pending in this process. */
  async settled(orgId: string): Promise<void> {
    for (let w = this.running.get(orgId); w; w = this.running.get(orgId)) await w.catch(() => undefined);
  }

  /** Resolves when nothing runs or is pending in this process (tests). */
  async idle(): Promise<void> {
    for (;;) {
      const all = [...this.running.values()];
      if (all.length === 0 && this.debounce.size === 0) return;
      if (all.length === 0) await new Promise((r) => setTimeout(r, 50));
      await Promise.allSettled(all);
    }
  }

  /** Organisations whose snapshot does not reach tomorrow (or has none but has Stripe data). */
  async staleOrganisations(): Promise<string[]> {
    const orgs = [...new Set((await allConnections(this.deps.db)).map((c) => c.orgId))];
    const out: string[] = [];
    for (const orgId of orgs) {
      const state = await withOrg(this.deps.db, orgId, (tx) => readState(tx, orgId));
      if (!state || !state.rangeTo || !state.timezone) {
        if (state?.status !== 'computing') out.push(orgId);
        continue;
      }
      const today = dayOf(Math.floor(this.deps.clock().getTime() / 1000), state.timezone);
      if (state.rangeTo < addDays(today, 1)) out.push(orgId);
    }
    return out;
  }

  /** In-process daily refresh (hourly check) until a queue takes over. */
  start(intervalMs = 3_600_000): void {
    this.timer = setInterval(() => {
      void this.staleOrganisations().then((orgs) => orgs.forEach((o) => this.requestFull(o))).catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  async useQueue(queue: Queue, opts: { pollingIntervalSeconds?: number } = {}): Promise<void> {
    await queue.createQueue(RECOMPUTE_QUEUE, { name: RECOMPUTE_QUEUE, policy: 'stately', retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInMinutes: 120 });
    await queue.createQueue(REFRESH_QUEUE, { name: REFRESH_QUEUE, policy: 'singleton' });
    const interval = opts.pollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds: opts.pollingIntervalSeconds };
    await queue.work<{ orgId: string }>(RECOMPUTE_QUEUE, interval, async ([job]) => {
      if (job) await this.runFull(job.data.orgId);
    });
    await queue.work(REFRESH_QUEUE, interval, async () => {
      for (const orgId of await this.staleOrganisations()) await queue.send(RECOMPUTE_QUEUE, { orgId }, { singletonKey: orgId });
    });
    await queue.schedule(REFRESH_QUEUE, '7 * * * *');
    this.queue = queue;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // anything asked for before the queue existed goes onto it
    for (const orgId of [...this.pendingFull]) if (!this.running.has(orgId)) {
      this.pendingFull.delete(orgId);
      this.requestFull(orgId);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.debounce.values()) clearTimeout(t);
    this.debounce.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}
