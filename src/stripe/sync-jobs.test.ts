// The sync path a deployment runs: pg-boss jobs on the shared queue (src/jobs), on PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueue, type Queue } from '../jobs/queue.js';
import { withOrg } from '../db/tenant.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import { listSyncState } from './sync-state.js';
import { createSyncQueues, registerSyncJobs, sendSyncJob, SYNC_QUEUE, POLL_QUEUE } from './sync-scheduler.js';
import { stripeTestEnv, type StripeTestEnv } from './test-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Stripe sync jobs on the shared pg-boss queue (PostgreSQL)', () => {
  let env: StripeTestEnv;
  let queue: Queue;
  const shutdown = new AbortController();
  beforeAll(async () => {
    env = await stripeTestEnv('postgres');
    queue = createQueue(env.t.db, { connectionString: env.t.url });
    queue.on('error', () => undefined);
    await queue.start();
    await createSyncQueues(queue);
  }, 60_000);
  afterAll(async () => {
    shutdown.abort();
    await queue?.stop({ graceful: false, wait: true });
    await env?.dispose();
  });

  it('a queued sync runs once per connection, records its state, and duplicates are refused while one waits', async () => {
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_jobsKey12345678' });
    // Jobs are sent before any worker exists: the first waits in the queue, the next two are singletons of it.
    const job = { orgId: env.orgId, connectionId };
    const sent = [await sendSyncJob(queue, job), await sendSyncJob(queue, job), await sendSyncJob(queue, job)];
    expect(sent[0]).toEqual(expect.any(String));
    expect(sent.slice(1)).toEqual([null, null]);
    env.emulator.store.log.reset();
    const scheduler = await registerSyncJobs(queue, { deps: () => env.deps, logger: env.deps.logger, pollSeconds: 60, signal: shutdown.signal, pollingIntervalSeconds: 0.5 });

    let state: string | undefined;
    for (let i = 0; i < 240 && state !== 'completed' && state !== 'failed'; i++) {
      await sleep(250);
      state = (await queue.getJobById(SYNC_QUEUE, sent[0]!))?.state;
    }
    expect(state).toBe('completed');

    const states = await withOrg(env.t.db, env.orgId, (tx) => listSyncState(tx, connectionId));
    const types = states.filter((s) => s.object_type !== 'event_poll' && !s.object_type.includes(':'));
    expect(types).toHaveLength(11);
    expect(types.every((s) => s.done && s.last_success_at !== null && s.last_error === null)).toBe(true);
    expect(Number(states.find((s) => s.object_type === 'customers')?.objects_synced)).toBe(50);
    expect(states.find((s) => s.object_type === 'event_poll')?.cursor).toMatch(/^\d+$/);
    // The backfill ran once: the first customers page was requested exactly once.
    const firstPages = env.emulator.store.log.all().filter((r) => r.path === '/v1/customers' && !String(r.query ?? '').includes('starting_after'));
    expect(firstPages).toHaveLength(1);

    // The poll schedule and requestSync both go through the same singleton queue.
    expect((await queue.getSchedules()).map((s) => s.name)).toContain(POLL_QUEUE);
    scheduler.requestSync(env.orgId, connectionId);
    let jobs: { state: string }[] = [];
    for (let i = 0; i < 120 && !(jobs.length === 2 && jobs.every((j) => j.state === 'completed')); i++) {
      await sleep(250);
      jobs = (await sql<{ state: string }>`select state from pgboss.job where name = ${SYNC_QUEUE} and singleton_key = ${connectionId}`.execute(env.t.db.owner)).rows;
    }
    expect(jobs.map((j) => j.state)).toEqual(['completed', 'completed']);
    // The second pass found the backfill finished and only polled events.
    expect(env.emulator.store.log.all().filter((r) => r.path === '/v1/customers' && !String(r.query ?? '').includes('starting_after'))).toHaveLength(1);
    await scheduler.stop();
  }, 120_000);
});
