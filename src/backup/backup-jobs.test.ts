// The scheduled jobs on a real pg-boss (PostgreSQL): both schedules registered, a fired backup job takes a
// backup and prunes, a fired restore-test job restores it and reports PASS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { loadConfig } from '../config.js';
import { createFieldCrypto, createKmsFromConfig } from '../crypto/index.js';
import { createQueue, type Queue } from '../jobs/queue.js';
import { AUDIT_PURGE_CRON, AUDIT_PURGE_QUEUE, BACKUP_QUEUE, RESTORE_TEST_CRON, RESTORE_TEST_QUEUE, scheduleBackupJobs } from './backup-jobs.js';
import type { BackupResult } from './backup.js';
import type { RestoreTestReport } from './restore-test.js';

describe('scheduled backup and restore-test jobs (pg-boss on PostgreSQL)', () => {
  let t: TestDatabase;
  let boss: Queue;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-backup-job-'));
    boss = createQueue(t.db, { connectionString: t.url });
    boss.on('error', () => undefined);
    await boss.start();
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await t?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const until = async (done: () => boolean) => {
    for (let i = 0; i < 160 && !done(); i += 1) await new Promise((r) => setTimeout(r, 250));
  };

  it('schedules both, and each job does its work when it fires', async () => {
    const config = loadConfig({ DATABASE_URL: t.url, MOWT_DATA_DIR: dir, MOWT_BACKUP_INTERVAL: '15' });
    const crypto = await createFieldCrypto({ db: t.db, kms: createKmsFromConfig(config) });
    const backups: BackupResult[] = [];
    const tests: RestoreTestReport[] = [];
    await scheduleBackupJobs(boss, { config, db: t.db, crypto, onBackup: (r) => void backups.push(r), onRestoreTest: (r) => void tests.push(r) });
    const schedules = (await boss.getSchedules()).map((s) => [s.name, s.cron]);
    expect(schedules).toContainEqual([BACKUP_QUEUE, '*/15 * * * *']);
    expect(schedules).toContainEqual([RESTORE_TEST_QUEUE, RESTORE_TEST_CRON]);
    expect(schedules).toContainEqual([AUDIT_PURGE_QUEUE, AUDIT_PURGE_CRON]); // src/gdpr retention, tested in gdpr.test.ts

    await boss.send(BACKUP_QUEUE, {});
    await until(() => backups.length > 0);
    expect(backups).toHaveLength(1);
    expect(fs.existsSync(backups[0]!.location)).toBe(true);

    await boss.send(RESTORE_TEST_QUEUE, {});
    await until(() => tests.length > 0);
    expect(tests[0]).toMatchObject({ ok: true, backupId: backups[0]!.manifest.backupId });
  });
});
