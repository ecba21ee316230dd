// The sync path a deployment runs: pg-boss jobs on the shared queue (src/jobs), on PostgreSQL.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldCrypto } from '../crypto/field-crypto.js';
import { createQueue, type Queue } from '../jobs/queue.js';
import { withOrg } from '../db/tenant.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import { listSyncState } from './sync-state.js';
import { OBJECT_KINDS } from './object-kinds.js';
import { createSyncQueues, registerSyncJobs, sendSyncJob, SYNC_QUEUE, POLL_QUEUE, type SyncJob } from './sync-scheduler.js';
import { stripeTestEnv, type StripeTestEnv } from './test-support.js';
import { emulatorIds, storedIds, syncedCounts } from '../../test/scale/stored-objects.js';

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

// The time box and the dead-worker hand-over, with settings short enough for a test: a one-second budget,
// a few seconds' expiry and a maintenance pass every second. Every request to the emulator is slowed so a
// backfill cannot finish within one budget.
describe('Stripe sync jobs: time-boxed, continued, and taken over from a dead worker (PostgreSQL)', () => {
  const KEY = 'rk_test_timeBox12345678';
  const timing = { budgetSeconds: 1, expireSeconds: 4 };
  let env: StripeTestEnv;
  let queue: Queue;
  const shutdown = new AbortController();
  beforeAll(async () => {
    env = await stripeTestEnv('postgres', { faults: { latencyMs: 250 } });
    queue = createQueue(env.t.db, { connectionString: env.t.url, maintenanceSeconds: 1 });
    queue.on('error', () => undefined);
    await queue.start();
  }, 60_000);
  afterAll(async () => {
    shutdown.abort();
    await queue?.stop({ graceful: false, wait: true });
    await env?.dispose();
  });

  const jobsOf = async (connectionId: string) =>
    (await sql<{ id: string; state: string; retry_count: number; data: SyncJob }>`select id, state, retry_count, data from pgboss.job where name = ${SYNC_QUEUE} and singleton_key = ${connectionId} order by created_on`.execute(env.t.db.owner)).rows;

  async function untilSynced(orgId: string, connectionId: string): Promise<void> {
    for (let i = 0; i < 480; i++) {
      const states = await withOrg(env.t.db, orgId, (tx) => listSyncState(tx, connectionId));
      const types = states.filter((s) => s.object_type !== 'event_poll' && !s.object_type.includes(':'));
      const jobs = await jobsOf(connectionId);
      if (types.length === 11 && types.every((s) => s.done) && jobs.length > 0 && jobs.every((j) => j.state === 'completed' || j.state === 'failed')) return;
      await sleep(250);
    }
  }

  it('refuses an expiry that is not longer than the budget', async () => {
    await expect(createSyncQueues(queue, { budgetSeconds: 10, expireSeconds: 10 })).rejects.toThrow('sync job expiry (10 s) must exceed its budget (10 s)');
  });

  it('a job that spends its budget completes and a continuation finishes the backfill from the saved cursors', async () => {
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: KEY });
    await createSyncQueues(queue, timing);
    expect((await queue.getQueue(SYNC_QUEUE))?.expireInSeconds).toBe(4);
    env.emulator.store.log.reset();
    const scheduler = await registerSyncJobs(queue, { deps: () => env.deps, logger: env.deps.logger, pollSeconds: 60, signal: shutdown.signal, pollingIntervalSeconds: 0.5, timing });
    scheduler.requestSync(env.orgId, connectionId);
    await untilSynced(env.orgId, connectionId);
    await scheduler.stop();

    const jobs = await jobsOf(connectionId);
    // A chain of jobs, each continuing the one before it, all completed: no failure, no retry, no expiry.
    expect(jobs.filter((j) => j.state !== 'completed' || j.retry_count > 0)).toEqual([]);
    const continuations = jobs.filter((j) => j.data.continues !== undefined);
    expect(continuations.length).toBeGreaterThanOrEqual(1);
    for (const c of continuations) expect(jobs.map((j) => j.id)).toContain(c.data.continues);
    // Continued, not restarted: the first customers page was read once over all the jobs.
    const firstPages = env.emulator.store.log.all().filter((r) => r.path === '/v1/customers' && !String(r.query ?? '').includes('starting_after'));
    expect(firstPages).toHaveLength(1);
    // Every object the emulator lists is stored exactly once, and counted once.
    const expected = await emulatorIds(env.emulator.url, KEY);
    expect(await storedIds(env.t.db, connectionId)).toEqual(expected);
    const counts = await syncedCounts(env.t.db, connectionId);
    for (const kind of OBJECT_KINDS) expect(counts[kind.type], kind.type).toBe(expected[kind.table]!.length);
  }, 180_000);

  it('a job left active by a dead worker expires and another worker finishes the connection', async () => {
    // Another organisation: the emulator's account is already connected to the first.
    const key = 'rk_test_deadWorker9876543';
    const orgId = crypto.randomUUID();
    await withOrg(env.t.db, orgId, (tx) => tx.insertInto('organisations').values({ id: orgId, name: 'Second org' }).execute());
    // The test environment's crypto is the full FieldCrypto (the Stripe slice sees only its part).
    await (env.deps.crypto as FieldCrypto).createOrgKey(orgId);
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId, userId: env.userId, restrictedKey: key });
    await createSyncQueues(queue, timing);
    // The dead worker: it claimed the job (now active) and will never finish or fail it.
    const sent = await sendSyncJob(queue, { orgId, connectionId });
    const [claimed] = await queue.fetch<SyncJob>(SYNC_QUEUE);
    expect(claimed?.id).toBe(sent);
    expect((await queue.getJobById(SYNC_QUEUE, sent!))?.state).toBe('active');

    const scheduler = await registerSyncJobs(queue, { deps: () => env.deps, logger: env.deps.logger, pollSeconds: 60, signal: shutdown.signal, pollingIntervalSeconds: 0.5, timing });
    await untilSynced(orgId, connectionId);
    await scheduler.stop();

    // The abandoned job came back as a retry (after its expiry, by maintenance) and completed here.
    const abandoned = await queue.getJobById(SYNC_QUEUE, sent!);
    expect(abandoned?.state).toBe('completed');
    expect(abandoned?.retryCount).toBeGreaterThanOrEqual(1);
    expect((await jobsOf(connectionId)).filter((j) => j.state !== 'completed')).toEqual([]);
    const expected = await emulatorIds(env.emulator.url, key);
    expect(await storedIds(env.t.db, connectionId)).toEqual(expected);
  }, 180_000);
});
