// Runs sync passes. Once the deployment's shared job queue runs (src/jobs/schedules.ts calls
// scheduleStripeSync), every pass is a pg-boss job on it: queue `stripe-sync`, policy 'stately' with the
// connection id as singletonKey — at most one queued and one running pass per connection across all
// workers — retried with backoff, and a cron job that revisits every connection (Events API polling).
// Each job is time-boxed: when its budget runs out the backfill stops at a page boundary (cursors committed),
// the job completes and a fresh job continues the connection. So no healthy job outlives its budget, the
// queue's expiry can be short (> budget), and a job left active by a killed worker is expired by the
// queue's maintenance pass and retried on another worker within minutes — resuming from the cursors.
// Before a queue is attached (tests, one-off CLI commands) an in-process runner keeps the same rules in
// this process, so a connection made there still syncs.
import type { Logger } from 'pino';
import type { Job as PgBossJob } from 'pg-boss';
import type { Queue } from '../jobs/queue.js';
import { allConnections } from './connections.js';
import type { StripeDeps } from './stripe-deps.js';
import { syncConnection } from './sync-connection.js';

export interface SyncScheduler {
  requestSync(orgId: string, connectionId: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no pass is running or queued in this process (tests, demo start-up). */
  idle(): Promise<void>;
}

export const SYNC_QUEUE = 'stripe-sync';
export const POLL_QUEUE = 'stripe-poll';
const MAX_ATTEMPTS = 5;
/** Production defaults (MOWT_SYNC_JOB_BUDGET_SECONDS / MOWT_SYNC_JOB_EXPIRE_SECONDS). */
export const DEFAULT_SYNC_TIMING: SyncJobTiming = { budgetSeconds: 600, expireSeconds: 1260 };

export interface SyncJobTiming {
  /** How long one job may sync before it hands the connection to a continuation job. */
  budgetSeconds: number;
  /** When an active job counts as abandoned (its worker died) and is retried elsewhere; > budgetSeconds. */
  expireSeconds: number;
}

/** The reason a job's own budget signal carries, told apart from a shutdown. */
class SyncBudgetSpent extends Error {
  override name = 'SyncBudgetSpent';
}

export interface SyncJob {
  orgId: string;
  connectionId: string;
  /** Set on a continuation: the id of the job whose budget ran out. */
  continues?: string;
}

export interface InProcessScheduler extends SyncScheduler {
  /** Resolves once this process runs no pass for the connection (a queued job waits for it). */
  settled(connectionId: string): Promise<void>;
  /** Stops the interval polling (the queue's cron takes over) but lets running passes finish. */
  handOver(): void;
}

export function inProcessScheduler(deps: () => StripeDeps, logger: Logger, pollSeconds: number, signal: AbortSignal): InProcessScheduler {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const run = (job: SyncJob, attempt: number): void => {
    if (signal.aborted) return;
    if (running.has(job.connectionId)) {
      again.add(job.connectionId);
      return;
    }
    const pass = syncConnection(deps(), job.orgId, job.connectionId, signal)
      .catch((error: unknown) => {
        if (signal.aborted) return;
        logger.warn({ connectionId: job.connectionId, attempt, err: error instanceof Error ? error.message : String(error) }, 'stripe sync pass failed');
        if (attempt + 1 < MAX_ATTEMPTS) {
          const retry = setTimeout(() => run(job, attempt + 1), 1000 * 2 ** attempt * (0.5 + Math.random() / 2));
          retry.unref();
        }
      })
      .finally(() => {
        running.delete(job.connectionId);
        if (again.delete(job.connectionId)) run(job, 0);
      });
    running.set(job.connectionId, pass);
  };
  const handOver = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return {
    requestSync: (orgId, connectionId) => run({ orgId, connectionId }, 0),
    async start() {
      timer = setInterval(() => {
        void allConnections(deps().db).then((all) => all.forEach((c) => run(c, 0))).catch(() => undefined);
      }, pollSeconds * 1000);
      timer.unref();
    },
    async stop() {
      handOver();
      await Promise.allSettled([...running.values()]);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async settled(connectionId) {
      again.delete(connectionId);
      for (let pass = running.get(connectionId); pass; pass = running.get(connectionId)) await pass.catch(() => undefined);
    },
    handOver,
  };
}

/** Sends one sync job (no-op when one is already queued for the connection: 'stately' + singletonKey). */
export function sendSyncJob(queue: Queue, job: SyncJob): Promise<string | null> {
  return queue.send(SYNC_QUEUE, job, { singletonKey: job.connectionId });
}

export interface QueueSyncOptions {
  deps: () => StripeDeps;
  logger: Logger;
  pollSeconds: number;
  signal: AbortSignal;
  /** Waits for an in-process pass started before the queue was attached. */
  before?: (connectionId: string) => Promise<void>;
  /** Worker poll interval (tests shorten it). */
  pollingIntervalSeconds?: number;
  /** false: only send jobs (web-tier processes, MOWT_ROLE=web); the worker processes run them. */
  work?: boolean;
  timing?: SyncJobTiming;
}

/** Creates the sync and poll queues with their policies, or brings an existing sync queue's expiry up to date. */
export async function createSyncQueues(queue: Queue, timing: SyncJobTiming = DEFAULT_SYNC_TIMING): Promise<void> {
  if (!(timing.expireSeconds > timing.budgetSeconds)) throw new Error(`sync job expiry (${timing.expireSeconds} s) must exceed its budget (${timing.budgetSeconds} s)`);
  const options = { policy: 'stately' as const, retryLimit: MAX_ATTEMPTS, retryDelay: 5, retryBackoff: true, expireInSeconds: timing.expireSeconds };
  // createQueue keeps an existing queue as it is; a changed expiry applies to jobs sent from now on.
  await queue.createQueue(SYNC_QUEUE, { name: SYNC_QUEUE, ...options });
  await queue.updateQueue(SYNC_QUEUE, { name: SYNC_QUEUE, ...options });
  await queue.createQueue(POLL_QUEUE, { name: POLL_QUEUE, policy: 'singleton' });
}

/**
 * One sync job: a pass over the connection within its budget. A pass cut short by the budget is not a
 * failure: the job completes and queues its continuation (the 'stately' policy allows one queued job beside
 * the active one; if one is queued already, that one continues). A shutdown still fails the job, so the queue
 * retries it after the process has gone.
 */
async function runSyncJob(queue: Queue, opts: QueueSyncOptions, job: PgBossJob<SyncJob>, timing: SyncJobTiming): Promise<void> {
  const { orgId, connectionId } = job.data;
  await opts.before?.(connectionId);
  // The pid tells operators (and the scale-out test) which worker holds the connection.
  opts.logger.info({ connectionId, jobId: job.id, pid: process.pid }, 'stripe sync job started');
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(new SyncBudgetSpent(`budget of ${timing.budgetSeconds} s spent`)), timing.budgetSeconds * 1000);
  try {
    await syncConnection(opts.deps(), orgId, connectionId, AbortSignal.any([opts.signal, budget.signal]));
  } catch (error) {
    if (opts.signal.aborted || error !== budget.signal.reason) throw error;
    const next = await sendSyncJob(queue, { orgId, connectionId, continues: job.id });
    opts.logger.info({ connectionId, jobId: job.id, next, pid: process.pid }, 'stripe sync job spent its budget; a new job continues from the saved cursors');
  } finally {
    clearTimeout(timer);
  }
}

/** Registers the sync and poll queues, their workers and the poll schedule on a started queue. */
export async function registerSyncJobs(queue: Queue, opts: QueueSyncOptions): Promise<SyncScheduler> {
  const timing = opts.timing ?? DEFAULT_SYNC_TIMING;
  await createSyncQueues(queue, timing);
  const interval = opts.pollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds: opts.pollingIntervalSeconds };
  if (opts.work !== false) {
    await queue.work<SyncJob>(SYNC_QUEUE, interval, async ([job]) => {
      if (job) await runSyncJob(queue, opts, job, timing);
    });
    await queue.work(POLL_QUEUE, interval, async () => {
      for (const c of await allConnections(opts.deps().db)) await sendSyncJob(queue, { orgId: c.orgId, connectionId: c.connectionId });
    });
    // pg-boss cron has minute resolution; shorter poll intervals still run every minute.
    await queue.schedule(POLL_QUEUE, opts.pollSeconds >= 3600 ? '0 * * * *' : '* * * * *', {}, { tz: 'UTC' });
  }
  return {
    requestSync(orgId, connectionId) {
      void sendSyncJob(queue, { orgId, connectionId })
        .catch((error: unknown) => opts.logger.error({ err: error instanceof Error ? error.message : String(error), connectionId }, 'could not queue a Stripe sync'));
    },
    async start() {},
    async stop() {
      await queue.offWork(SYNC_QUEUE).catch(() => undefined);
      await queue.offWork(POLL_QUEUE).catch(() => undefined);
    },
    async idle() {
      // Jobs run in whichever worker picks them up; nothing to wait for in this process.
    },
  };
}
