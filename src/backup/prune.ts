// Applies the retention policy to a store. A backup whose latest restore test failed is not "good": it
// never fills a daily or weekly slot and is deleted once past 48 hours.
import { systemClock, type Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { BackupStore } from './backup-store.js';
import { selectBackupsToDelete, type BackupRef } from './retention.js';

export async function backupRefs(store: BackupStore, db?: Db): Promise<BackupRef[]> {
  const stored = await store.list();
  const failed = new Set<string>();
  if (db) {
    const tests = await db.owner.selectFrom('backup_restore_tests').select(['backup_id', 'ok', 'started_at']).orderBy('started_at', 'asc').execute();
    for (const t of tests) {
      if (t.backup_id === null) continue;
      if (t.ok) failed.delete(t.backup_id);
      else failed.add(t.backup_id);
    }
  }
  return stored.map((s) => ({ backupId: s.manifest.backupId, createdAt: new Date(s.manifest.createdAt), good: !failed.has(s.manifest.backupId) }));
}

/** Deletes what retention no longer needs; returns the deleted ids. */
export async function pruneBackups(store: BackupStore, db?: Db, clock: Clock = systemClock, dryRun = false): Promise<string[]> {
  const doomed = selectBackupsToDelete(await backupRefs(store, db), clock());
  if (!dryRun) for (const id of doomed) await store.delete(id);
  return doomed;
}
