import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { createQueue, type Queue } from './queue.js';

describe.each(DB_KINDS)('job queue on %s', (kind) => {
  let t: TestDatabase | undefined;
  let boss: Queue | undefined;
  afterEach(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await t?.dispose();
    boss = undefined;
    t = undefined;
  });

  it('runs a sent job exactly once and records it as completed', async () => {
    t = await createTestDatabase(kind);
    boss = createQueue(t.db, { connectionString: t.url });
    boss.on('error', () => undefined);
    await boss.start();
    await boss.createQueue('probe');
    const seen: unknown[] = [];
    await boss.work<{ n: number }>('probe', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      seen.push(job?.data.n);
    });
    const id = await boss.send('probe', { n: 7 });
    for (let i = 0; i < 60 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(seen).toEqual([7]);
    let state: string | undefined;
    for (let i = 0; i < 20 && state !== 'completed'; i++) {
      state = (await boss.getJobById('probe', id!))?.state;
      if (state !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('completed');
  });
});

describe('job queues on PostgreSQL created by several processes at once', () => {
  let t: TestDatabase | undefined;
  const bosses: Queue[] = [];
  afterEach(async () => {
    for (const b of bosses.splice(0)) await b.stop({ graceful: false, wait: true });
    await t?.dispose();
    t = undefined;
  });

  it('two starting workers create the same new queues concurrently without either failing', async () => {
    t = await createTestDatabase('postgres');
    for (let i = 0; i < 2; i++) {
      const boss = createQueue(t.db, { connectionString: t.url, supervise: false });
      boss.on('error', () => undefined);
      await boss.start();
      bosses.push(boss);
    }
    // Unretried, PostgreSQL aborts one side's partition DDL with "deadlock detected" (40P01) here.
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const results = await Promise.allSettled(bosses.map(async (b) => {
      for (const name of names) await b.createQueue(name, { name, policy: 'singleton', retryLimit: 2 });
    }));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await bosses[0]!.getQueues()).map((q) => q.name).sort()).toEqual(names);
    expect((await bosses[1]!.getQueue('delta'))?.policy).toBe('singleton');
  });
});
