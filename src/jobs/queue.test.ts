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
