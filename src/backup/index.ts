// Backups: the public face of src/backup.
//   runBackup(...)                  `mowt backup`: encrypted, compressed snapshot + signed manifest into a BackupStore
//   restoreBackup(source, ...)      `mowt restore FILE`: verify everything, then write into an empty database
//   runRestoreTest(...)             `mowt restore-test`: scratch restore, hashes, row counts, decrypted sample, recorded
//   selectBackupsToDelete(refs, now) retention (pure): 30 days of dailies, a year of weeklies, 48 h of interval snapshots
//   scheduleBackupJobs(boss, deps)  pg-boss: snapshot every MOWT_BACKUP_INTERVAL minutes + prune; restore test monthly
//   lastRestoreTest(db) / lastBackupRun(db)   latest results (the app role may read them)
export { runBackup, type BackupOptions, type BackupResult } from './backup.js';
export { restoreBackup, backupSourceFromFile, verifyBackup, RestoreTargetNotEmptyError, type BackupSource, type RestoreTarget } from './restore.js';
export { runRestoreTest, type RestoreTestOptions, type RestoreTestReport } from './restore-test.js';
export { selectBackupsToDelete, describeRetention, RETENTION, type BackupRef, type RetentionPolicy } from './retention.js';
export { pruneBackups } from './prune.js';
export { scheduleBackupJobs, backupCron, BACKUP_QUEUE, RESTORE_TEST_QUEUE, RESTORE_TEST_CRON } from './backup-jobs.js';
export { lastBackupRun, lastRestoreTest } from './backup-log.js';
export { createLocalStore } from './local-store.js';
export type { BackupStore, StoredBackup } from './backup-store.js';
export type { BackupManifest } from './manifest.js';
export { BackupFormatError, BackupIntegrityError } from './backup-format.js';
export { BackupKeyError } from './backup-key.js';
export { BackupDestinationError, checkBackupDestination } from './destination-policy.js';
export { registerBackupCommands } from './backup-command.js';
export { backupStatusRoutes } from './status-routes.js';
export { createBackupStore } from './create-store.js';
export { createS3Store, type S3StoreOptions } from './s3-store.js';
