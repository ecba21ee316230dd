// Teams and audit: memberships (who is in which organisation, in which role), invites, the one-time setup
// link, and the append-only hash-chained audit log. See docs/decisions/030-audit-chain.md and
// 031-rls-and-memberships.md.
import { sql, type Kysely } from 'kysely';
import { declareEncryptedColumns } from '../../crypto/column-registry.js';
import { enableTenantRls, grantToApp } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // The signed-in user a transaction acts for, or NULL: lets a user list their own memberships across
  // organisations (GET /api/me) without any organisation being set.
  await sql`create function app_current_user() returns uuid language sql stable as
    $$ select nullif(current_setting('app.user_id', true), '')::uuid $$`.execute(db);

  await db.schema
    .createTable('memberships')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member', 'viewer')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('memberships_pkey', ['org_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user_id').on('memberships').column('user_id').execute();
  await enableTenantRls(db, 'memberships');
  // Read-only and only the caller's own rows; writes still need the organisation set.
  await sql`create policy memberships_own_rows on memberships for select to mowt_app
    using (user_id = app_current_user())`.execute(db);

  await db.schema
    .createTable('invites')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('email_index', 'text', (c) => c.notNull())
    .addColumn('email_encrypted', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member', 'viewer')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('invites_org_email').on('invites').columns(['org_id', 'email_index']).execute();
  await enableTenantRls(db, 'invites', { privileges: ['select', 'insert', 'update'] });
  // The invitee's address is encrypted under the organisation's data key; rotation re-encrypts it.
  await declareEncryptedColumns(db, [{ table: 'invites', column: 'email_encrypted', idColumn: 'id', orgColumn: 'org_id' }]);

  // One-time setup link printed by `npm start` while no user exists. Not tenant data: no organisation yet.
  await db.schema
    .createTable('setup_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await grantToApp(db, 'setup_tokens', ['select', 'insert', 'update']);

  // The audit log. No foreign key to organisations: the record of what happened outlives the organisation.
  // org_id NULL is the system chain (failed logins of unknown addresses, operator actions).
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid')
    .addColumn('seq', 'bigint', (c) => c.notNull().check(sql`seq >= 1`))
    .addColumn('actor_type', 'text', (c) => c.notNull().check(sql`actor_type in ('user', 'staff', 'system', 'token')`))
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull().check(sql`char_length(action) between 1 and 100`))
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('success', 'failure', 'denied')`))
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('prev_hash', 'text', (c) => c.notNull().check(sql`prev_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('hash', 'text', (c) => c.notNull().check(sql`hash ~ '^[0-9a-f]{64}$'`))
    .execute();
  await sql`create unique index audit_log_chain_seq on audit_log
    ((coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid)), seq)`.execute(db);
  await db.schema.createIndex('audit_log_org_time').on('audit_log').columns(['org_id', 'occurred_at']).execute();
  await sql`alter table audit_log enable row level security`.execute(db);
  await sql`alter table audit_log force row level security`.execute(db);
  // Organisation entries: read and appended only with that organisation set. System entries: appended only
  // with no organisation set, and never readable by the app role (operators read them with verify-audit).
  await sql`create policy audit_log_tenant_read on audit_log for select to mowt_app
    using (org_id = app_current_org())`.execute(db);
  await sql`create policy audit_log_tenant_append on audit_log for insert to mowt_app
    with check (org_id = app_current_org())`.execute(db);
  await sql`create policy audit_log_system_append on audit_log for insert to mowt_app
    with check (org_id is null and app_current_org() is null)`.execute(db);
  // Append-only: the app role may add and read entries, never change or remove them.
  await grantToApp(db, 'audit_log', ['select', 'insert']);

  // The head (last seq and hash) of each chain. Appending locks this one row (upsert), so entries of one
  // chain are numbered in order while other chains — and all reads — proceed in parallel.
  await db.schema
    .createTable('audit_chain_heads')
    .addColumn('chain_id', 'uuid', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`alter table audit_chain_heads enable row level security`.execute(db);
  await sql`alter table audit_chain_heads force row level security`.execute(db);
  await sql`create policy audit_chain_heads_own_chain on audit_chain_heads to mowt_app
    using (chain_id = coalesce(app_current_org(), '00000000-0000-0000-0000-000000000000'::uuid))
    with check (chain_id = coalesce(app_current_org(), '00000000-0000-0000-0000-000000000000'::uuid))`.execute(db);
  await grantToApp(db, 'audit_chain_heads', ['select', 'insert', 'update']);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_chain_heads', 'audit_log', 'setup_tokens', 'invites', 'memberships']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function app_current_user()`.execute(db);
}
