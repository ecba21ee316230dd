import type { ColumnType, Generated, Selectable } from 'kysely';

/** One row per `mowt backup` run (scheduled or by hand), successful or not. System table. */
export interface BackupRunsTable {
  id: string;
  started_at: Date;
  finished_at: Date;
  ok: boolean;
  db_kind: string;
  destination: string;
  /** bigint: node-postgres returns text. */
  bytes: ColumnType<string | null, number | null, never>;
  duration_ms: number;
  error: string | null;
}
export type BackupRun = Selectable<BackupRunsTable>;

/** One row per restore test. problems: what failed (empty when ok). System table. */
export interface BackupRestoreTestsTable {
  id: Generated<string>;
  backup_id: string | null;
  started_at: Date;
  finished_at: Date;
  ok: boolean;
  verify_ms: number;
  restore_ms: number;
  check_ms: number;
  total_ms: number;
  tables_checked: number;
  rows_checked: ColumnType<string, number, never>;
  values_decrypted: number;
  values_shredded: number;
  problems: ColumnType<string[], string, never>;
}
export type BackupRestoreTest = Selectable<BackupRestoreTestsTable>;
