// Scheduled backups on the job queue (pg-boss): a snapshot every MOWT_BACKUP_INTERVAL minutes (daily by
// default) followed by pruning, and a restore test on the first of each month. Singleton queues: one
// backup at a time across all workers. The app/worker start calls scheduleBackupJobs once.
import type PgBoss from 'pg-boss';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { runBackup, type BackupResult } from './backup.js';
import { createBackupStore } from './create-store.js';
import { pruneBackups } from './prune.js';
import { runRestoreTest, type RestoreTestReport } from './restore-test.js';
import { purgeExpiredAudit } from '../gdpr/purge-expired-audit.js';

export const BACKUP_QUEUE = 'backup.snapshot';
export const RESTORE_TEST_QUEUE = 'backup.restore-test';
/** 04:41 UTC on the 1st of each month: after the night's backup, before the UK working day. */
export const RESTORE_TEST_CRON = '41 4 1 * *';
/** Retention of deleted organisations' kept audit entries (src/gdpr): checked daily with the backups' pruning. */
export const AUDIT_PURGE_QUEUE = 'retention.audit-purge';
export const AUDIT_PURGE_CRON = '53 3 * * *';

/** pg-boss cron (minute resolution) for a snapshot interval that divides a day. Daily runs at 02:23 UTC. */
export function backupCron(intervalMinutes: number): string {
  if (intervalMinutes >= 1440) return '23 2 * * *';
  if (intervalMinutes < 60) {
    if (60 % intervalMinutes !== 0) throw new RangeError('a backup interval under an hour must divide 60');
    return `*/${intervalMinutes} * * * *`;
  }
  const hours = intervalMinutes / 60;
  if (!Number.isInteger(hours) || 24 % hours !== 0) throw new RangeError('a backup interval of hours must divide 24');
  return hours === 1 ? '7 * * * *' : `7 */${hours} * * *`;
}

export interface BackupJobDeps {
  config: Config;
  db: Db;
  crypto: FieldCrypto;
  onBackup?: (r: BackupResult, pruned: string[]) => void;
  onRestoreTest?: (r: RestoreTestReport) => void;
}

export async function scheduleBackupJobs(boss: PgBoss, deps: BackupJobDeps): Promise<void> {
  const { config, db, crypto } = deps;
  const store = () => createBackupStore(config);
  const postgresUrl = config.database.kind === 'postgres' ? config.database.url : undefined;
  const pgTools = { binDir: config.backup.pgBinDir };

  await boss.createQueue(BACKUP_QUEUE, { name: BACKUP_QUEUE, policy: 'singleton', retryLimit: 2, retryDelay: 300, expireInMinutes: 240 });
  await boss.createQueue(RESTORE_TEST_QUEUE, { name: RESTORE_TEST_QUEUE, policy: 'singleton', expireInMinutes: 240 });
  await boss.schedule(BACKUP_QUEUE, backupCron(config.backup.intervalMinutes), {}, { tz: 'UTC' });
  await boss.schedule(RESTORE_TEST_QUEUE, RESTORE_TEST_CRON, {}, { tz: 'UTC' });

  await boss.work(BACKUP_QUEUE, async () => {
    const result = await runBackup({
      db,
      crypto,
      store: store(),
      postgresUrl,
      pgTools,
      production: config.env === 'production',
      primaryRegion: config.backup.primaryRegion,
    });
    const pruned = await pruneBackups(store(), db);
    deps.onBackup?.(result, pruned);
  });
  await boss.createQueue(AUDIT_PURGE_QUEUE, { name: AUDIT_PURGE_QUEUE, policy: 'singleton', expireInMinutes: 60 });
  await boss.schedule(AUDIT_PURGE_QUEUE, AUDIT_PURGE_CRON, {}, { tz: 'UTC' });
  await boss.work(AUDIT_PURGE_QUEUE, async () => {
    await purgeExpiredAudit(db, new Date());
  });
  await boss.work(RESTORE_TEST_QUEUE, async () => {
    // A failed test is recorded and reported, not retried: retrying would hide a broken backup.
    const report = await runRestoreTest({ db, kms: crypto.keys.kms, store: store(), postgresUrl, pgTools });
    deps.onRestoreTest?.(report);
  });
}
