// Runs sync passes. Once the deployment's shared job queue runs (src/jobs/schedules.ts calls
// scheduleStripeSync), every pass is a pg-boss job on it: queue `stripe-sync`, policy 'stately' with the
// connection id as singletonKey — at most one queued and one running pass per connection across all
// workers — retried with backoff, and a cron job that revisits every connection (Events API polling).
// Before a queue is attached (tests, one-off CLI commands) an in-process runner keeps the same rules in
// this process, so a connection made there still syncs.
import type { Logger } from 'pino';
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

export interface SyncJob { orgId: string; connectionId: string }

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
}

/** Creates (or keeps) the sync and poll queues with their policies. */
export async function createSyncQueues(queue: Queue): Promise<void> {
  await queue.createQueue(SYNC_QUEUE, { name: SYNC_QUEUE, policy: 'stately', retryLimit: MAX_ATTEMPTS, retryDelay: 5, retryBackoff: true, expireInMinutes: 120 });
  await queue.createQueue(POLL_QUEUE, { name: POLL_QUEUE, policy: 'singleton' });
}

/** Registers the sync and poll queues, their workers and the poll schedule on a started queue. */
export async function registerSyncJobs(queue: Queue, opts: QueueSyncOptions): Promise<SyncScheduler> {
  await createSyncQueues(queue);
  const interval = opts.pollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds: opts.pollingIntervalSeconds };
  if (opts.work !== false) {
    await queue.work<SyncJob>(SYNC_QUEUE, interval, async ([job]) => {
      if (!job) return;
      await opts.before?.(job.data.connectionId);
      await syncConnection(opts.deps(), job.data.orgId, job.data.connectionId, opts.signal);
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
