import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { createQueue, type Queue } from '../jobs/queue.js';
import { createFieldCrypto } from './field-crypto.js';
import { createKeyring } from './keyring.js';
import { ROTATION_QUEUE, scheduleKeyRotation } from './rotation-job.js';
import type { RotationReport } from './rotation.js';

describe('scheduled rotation job (pg-boss on PGlite)', () => {
  let t: TestDatabase;
  let boss: Queue;
  let keyDir: string;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-job-'));
    boss = createQueue(t.db);
    boss.on('error', () => undefined);
    await boss.start();
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await t?.dispose();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  it('is scheduled daily and runs the due-check when the job fires', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const crypto = await createFieldCrypto({ db: t.db, kms: createKeyring({ dir: keyDir }), clock: () => now });
    const reports: RotationReport[] = [];
    await scheduleKeyRotation(boss, { crypto, clock: () => now, graceMs: 0 }, (r) => void reports.push(r));
    const schedules = await boss.getSchedules();
    expect(schedules.map((s) => [s.name, s.cron])).toContainEqual([ROTATION_QUEUE, '17 3 * * *']);

    now = new Date('2026-04-01T00:00:00Z'); // day 90
    await boss.send(ROTATION_QUEUE, {});
    for (let i = 0; i < 80 && reports.length === 0; i += 1) await new Promise((r) => setTimeout(r, 250));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.started.map((s) => s.purpose).sort()).toEqual(['data', 'index']);
  });
});
