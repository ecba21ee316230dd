// Runs sync passes. With PostgreSQL, pg-boss jobs: one queued and one running pass per connection at most
// (policy 'stately' + singletonKey), retried with backoff, and a schedule that revisits every connection
// (Events API polling). On embedded PGlite there is one process, so an in-process runner with the same
// rules does the job without pg-boss polling the single database connection.
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

interface Job { orgId: string; connectionId: string }

export function inProcessScheduler(deps: () => StripeDeps, logger: Logger, pollSeconds: number): SyncScheduler {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const shutdown = new AbortController();
  const run = (job: Job, attempt: number): void => {
    if (stopped) return;
    if (running.has(job.connectionId)) {
      again.add(job.connectionId);
      return;
    }
    const pass = syncConnection(deps(), job.orgId, job.connectionId, shutdown.signal)
      .catch((error: unknown) => {
        if (stopped) return;
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
  return {
    requestSync: (orgId, connectionId) => run({ orgId, connectionId }, 0),
    async start() {
      timer = setInterval(() => {
        void allConnections(deps().db).then((all) => all.forEach((c) => run(c, 0))).catch(() => undefined);
      }, pollSeconds * 1000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      shutdown.abort();
      if (timer) clearInterval(timer);
      await Promise.allSettled([...running.values()]);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}

export function pgBossScheduler(deps: () => StripeDeps, boss: Queue, logger: Logger, pollSeconds: number): SyncScheduler {
  let started = false;
  return {
    requestSync(orgId, connectionId) {
      void boss.send(SYNC_QUEUE, { orgId, connectionId }, { singletonKey: connectionId })
        .catch((error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error), connectionId }, 'could not queue a Stripe sync'));
    },
    async start() {
      await boss.start();
      await boss.createQueue(SYNC_QUEUE, { name: SYNC_QUEUE, policy: 'stately', retryLimit: MAX_ATTEMPTS, retryDelay: 5, retryBackoff: true, expireInMinutes: 120 });
      await boss.createQueue(POLL_QUEUE, { name: POLL_QUEUE, policy: 'singleton' });
      await boss.work<Job>(SYNC_QUEUE, async ([job]) => {
        if (job) await syncConnection(deps(), job.data.orgId, job.data.connectionId);
      });
      await boss.work(POLL_QUEUE, async () => {
        for (const c of await allConnections(deps().db)) await boss.send(SYNC_QUEUE, { orgId: c.orgId, connectionId: c.connectionId }, { singletonKey: c.connectionId });
      });
      // pg-boss cron has minute resolution; shorter poll intervals still run every minute.
      await boss.schedule(POLL_QUEUE, pollSeconds >= 3600 ? '0 * * * *' : '* * * * *');
      started = true;
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, wait: true });
    },
    async idle() {
      // Jobs run in whichever worker picks them up; nothing to wait for in this process.
    },
  };
}
