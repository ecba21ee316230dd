// Backups: a record of every backup run and every restore test, so operators and Admins can see the last
// result. System tables (no organisation owns a backup): written by the owner (CLI, jobs), read by the app.
import { sql, type Kysely } from 'kysely';
import { grantToApp } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('backup_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('db_kind', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await sql`create index backup_runs_started on backup_runs (started_at desc)`.execute(db);

  await db.schema
    .createTable('backup_restore_tests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('backup_id', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('verify_ms', 'integer', (c) => c.notNull())
    .addColumn('restore_ms', 'integer', (c) => c.notNull())
    .addColumn('check_ms', 'integer', (c) => c.notNull())
    .addColumn('total_ms', 'integer', (c) => c.notNull())
    .addColumn('tables_checked', 'integer', (c) => c.notNull())
    .addColumn('rows_checked', 'bigint', (c) => c.notNull())
    .addColumn('values_decrypted', 'integer', (c) => c.notNull())
    .addColumn('values_shredded', 'integer', (c) => c.notNull())
    .addColumn('problems', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await sql`create index backup_restore_tests_started on backup_restore_tests (started_at desc)`.execute(db);

  // The app only shows results; it never records or alters them.
  await grantToApp(db, 'backup_runs', ['select']);
  await grantToApp(db, 'backup_restore_tests', ['select']);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('backup_restore_tests').execute();
  await db.schema.dropTable('backup_runs').execute();
}
