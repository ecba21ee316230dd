// Records backup runs and restore tests in the primary database and in the system audit chain, and reads
// the latest results back (for operators and for Admins' status view).
import { appendAudit } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { withoutOrg } from '../db/tenant.js';
import type { BackupRestoreTest, BackupRun } from './backup-tables.table.js';

export interface BackupRunRecord {
  backupId: string;
  startedAt: Date;
  finishedAt: Date;
  ok: boolean;
  dbKind: string;
  destination: string;
  bytes: number | null;
  error: string | null;
}

export async function recordBackupRun(db: Db, r: BackupRunRecord): Promise<void> {
  await db.owner
    .insertInto('backup_runs')
    .values({
      id: r.backupId,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      ok: r.ok,
      db_kind: r.dbKind,
      destination: r.destination,
      bytes: r.bytes,
      duration_ms: r.finishedAt.getTime() - r.startedAt.getTime(),
      error: r.error,
    })
    .execute();
  await appendAudit(db, {
    orgId: null,
    actor: { type: 'system' },
    action: 'backup.created',
    target: { type: 'backup', id: r.backupId },
    result: r.ok ? 'success' : 'failure',
    metadata: { destination: r.destination, bytes: r.bytes, durationMs: r.finishedAt.getTime() - r.startedAt.getTime(), error: r.error },
    at: r.finishedAt,
  });
}

export interface RestoreTestRecord {
  backupId: string | null;
  startedAt: Date;
  finishedAt: Date;
  ok: boolean;
  verifyMs: number;
  restoreMs: number;
  checkMs: number;
  tablesChecked: number;
  rowsChecked: number;
  valuesDecrypted: number;
  valuesShredded: number;
  problems: string[];
}

export async function recordRestoreTest(db: Db, r: RestoreTestRecord): Promise<void> {
  const totalMs = r.finishedAt.getTime() - r.startedAt.getTime();
  await db.owner
    .insertInto('backup_restore_tests')
    .values({
      backup_id: r.backupId,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      ok: r.ok,
      verify_ms: Math.round(r.verifyMs),
      restore_ms: Math.round(r.restoreMs),
      check_ms: Math.round(r.checkMs),
      total_ms: totalMs,
      tables_checked: r.tablesChecked,
      rows_checked: r.rowsChecked,
      values_decrypted: r.valuesDecrypted,
      values_shredded: r.valuesShredded,
      problems: JSON.stringify(r.problems.slice(0, 50)),
    })
    .execute();
  await appendAudit(db, {
    orgId: null,
    actor: { type: 'system' },
    action: 'backup.restore_tested',
    target: { type: 'backup', id: r.backupId },
    result: r.ok ? 'success' : 'failure',
    metadata: { totalMs, tables: r.tablesChecked, rows: r.rowsChecked, decrypted: r.valuesDecrypted, problems: r.problems.length },
    at: r.finishedAt,
  });
}

/** The newest restore test, or undefined when none ran yet. Readable by the app role (select grant). */
export async function lastRestoreTest(db: Db): Promise<BackupRestoreTest | undefined> {
  return withoutOrg(db, (tx) => tx.selectFrom('backup_restore_tests').selectAll().orderBy('started_at', 'desc').limit(1).executeTakeFirst());
}

export async function lastBackupRun(db: Db): Promise<BackupRun | undefined> {
  return withoutOrg(db, (tx) => tx.selectFrom('backup_runs').selectAll().orderBy('started_at', 'desc').limit(1).executeTakeFirst());
}
