// Encryption at rest: key metadata only. Key-encryption keys live in the KMS or the key folder, data keys are
// stored wrapped; nothing here can decrypt anything without the KMS.
import { sql, type Kysely } from 'kysely';
import { grantToApp } from '../rls.js';

const PURPOSES = sql`('data', 'stripe', 'index', 'backup')`;
const STATUSES = sql`('active', 'retiring', 'retired', 'destroyed')`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // System table: key references (keyring names / KMS ARNs) and dates, no secrets. The rotation job must
  // see every organisation's versions to know which are due, so there is no tenant policy here.
  await db.schema
    .createTable('crypto_keks')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('org_id', 'uuid')
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ${PURPOSES}`))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('kms_kind', 'text', (c) => c.notNull().check(sql`kms_kind in ('keyring', 'aws-kms')`))
    .addColumn('kms_ref', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ${STATUSES}`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addColumn('destroy_after', 'timestamptz')
    .addColumn('destroyed_at', 'timestamptz')
    .execute();
  await sql`create unique index crypto_keks_version on crypto_keks (org_id, purpose, version) nulls not distinct`.execute(db);
  await sql`create unique index crypto_keks_one_active on crypto_keks (org_id, purpose) nulls not distinct
    where status = 'active'`.execute(db);
  await grantToApp(db, 'crypto_keks', ['select', 'insert', 'update']);

  // Wrapped data keys: tenant rows. An organisation's transaction sees its own keys and the system keys;
  // system keys (org_id NULL) are written only by transactions not scoped to any organisation.
  await db.schema
    .createTable('crypto_data_keys')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('org_id', 'uuid')
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ${PURPOSES}`))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('kek_id', 'integer', (c) => c.notNull().references('crypto_keks.id'))
    .addColumn('wrapped_key', 'bytea')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ${STATUSES}`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addColumn('destroyed_at', 'timestamptz')
    .addCheckConstraint('crypto_data_keys_wrapped_unless_destroyed', sql`(status = 'destroyed') = (wrapped_key is null)`)
    .execute();
  await sql`create unique index crypto_data_keys_version on crypto_data_keys (org_id, purpose, version) nulls not distinct`.execute(db);
  await sql`create unique index crypto_data_keys_one_active on crypto_data_keys (org_id, purpose) nulls not distinct
    where status = 'active'`.execute(db);
  await sql`create index crypto_data_keys_kek on crypto_data_keys (kek_id)`.execute(db);
  await sql`alter table crypto_data_keys enable row level security`.execute(db);
  await sql`alter table crypto_data_keys force row level security`.execute(db);
  await sql`create policy crypto_data_keys_read on crypto_data_keys for select to mowt_app
    using (org_id = app_current_org() or org_id is null)`.execute(db);
  const writable = sql`(org_id = app_current_org() or (org_id is null and app_current_org() is null))`;
  await sql`create policy crypto_data_keys_insert on crypto_data_keys for insert to mowt_app with check ${writable}`.execute(db);
  await sql`create policy crypto_data_keys_update on crypto_data_keys for update to mowt_app
    using ${writable} with check ${writable}`.execute(db);
  // No delete: destroyed keys stay as tombstones, so a destroyed organisation can never silently get new keys.
  await grantToApp(db, 'crypto_data_keys', ['select', 'insert', 'update']);

  await db.schema
    .createTable('crypto_rotations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('org_id', 'uuid')
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ${PURPOSES}`))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('due', 'forced')`))
    .addColumn('kek_version_from', 'integer', (c) => c.notNull())
    .addColumn('kek_version_to', 'integer', (c) => c.notNull())
    .addColumn('dek_version_from', 'integer')
    .addColumn('dek_version_to', 'integer')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('rewrapped_at', 'timestamptz')
    .addColumn('reencrypted_at', 'timestamptz')
    .addColumn('rows_reencrypted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('old_keys_destroyed_at', 'timestamptz')
    .execute();
  await sql`create index crypto_rotations_open on crypto_rotations (id) where finished_at is null`.execute(db);
  await grantToApp(db, 'crypto_rotations', ['select', 'insert', 'update']);

  await db.schema
    .createTable('crypto_reencryption_cursors')
    .addColumn('org_id', 'uuid')
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ${PURPOSES}`))
    .addColumn('target_version', 'integer', (c) => c.notNull())
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('column_name', 'text', (c) => c.notNull())
    .addColumn('last_row_id', 'text')
    .addColumn('rows_rewritten', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('done', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index crypto_reencryption_cursors_key on crypto_reencryption_cursors
    (org_id, purpose, target_version, table_name, column_name) nulls not distinct`.execute(db);
  await grantToApp(db, 'crypto_reencryption_cursors', ['select', 'insert', 'update']);

  // Encrypted columns declared by the slices' migrations (declareEncryptedColumns): the re-encryption job
  // walks them after each data-key rotation, whichever process runs it.
  await db.schema
    .createTable('crypto_encrypted_columns')
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('column_name', 'text', (c) => c.notNull())
    .addColumn('id_column', 'text', (c) => c.notNull())
    .addColumn('org_column', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('data', 'stripe', 'backup')`))
    .addPrimaryKeyConstraint('crypto_encrypted_columns_pk', ['table_name', 'column_name'])
    .execute();
  await grantToApp(db, 'crypto_encrypted_columns', ['select']);

  // Append-only for the app: the audit slice reads these; nobody rewrites them.
  await db.schema
    .createTable('crypto_key_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('org_id', 'uuid')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text')
    .addColumn('version', 'integer')
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await sql`create index crypto_key_events_time on crypto_key_events (occurred_at, id)`.execute(db);
  await grantToApp(db, 'crypto_key_events', ['select', 'insert']);

  await db.schema
    .createTable('crypto_rotation_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await grantToApp(db, 'crypto_rotation_leases', ['select', 'insert', 'update', 'delete']);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['crypto_rotation_leases', 'crypto_key_events', 'crypto_encrypted_columns', 'crypto_reencryption_cursors', 'crypto_rotations', 'crypto_data_keys', 'crypto_keks']) {
    await db.schema.dropTable(table).execute();
  }
}
