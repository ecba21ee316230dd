// Security operations: security events and the anomaly rules' baselines, per-organisation alert settings,
// Mowt staff accounts (apart from customer accounts) and their consent-based access grants, and incidents
// with their breach notices. See docs/security-operations.md.
//
// Tenant data (events, alert settings, token usage, grants, breach notices) sits under forced RLS like
// every other tenant table. Staff accounts and sessions, on-call events, incidents and the affected-
// organisation list are Mowt's own operational records (no customer data) and carry no RLS.
import { sql, type Kysely } from 'kysely';
import { declareEncryptedColumns } from '../../crypto/column-registry.js';
import { enableTenantRls, grantToApp } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // The staff member a transaction acts for (set like app.org_id: transaction-local, bound parameter). Lets
  // a staff member see their own access grants across organisations, and nothing else.
  await sql`create function app_current_staff() returns uuid language sql stable as
    $$ select nullif(current_setting('app.staff_id', true), '')::uuid $$`.execute(db);

  // ── Security events ──────────────────────────────────────────────────────────────────────────────────
  await db.schema
    .createTable('security_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('rule', 'text', (c) => c.notNull().check(sql`char_length(rule) between 1 and 100`))
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('info', 'warning', 'critical')`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    // A sentence with counts only: no address, no name (those go, encrypted, into details).
    .addColumn('summary', 'text', (c) => c.notNull())
    // JSON { ip, userAgent, country, … } under the organisation's data key.
    .addColumn('details_encrypted', 'text')
    // One event per rule, subject and window: a continuing attack does not flood the Admins.
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('alerted_at', 'timestamptz')
    .addColumn('alert_error', 'text')
    .execute();
  await db.schema.createIndex('security_events_dedupe').on('security_events').columns(['org_id', 'dedupe_key']).unique().execute();
  await db.schema.createIndex('security_events_org_time').on('security_events').columns(['org_id', 'occurred_at']).execute();
  await enableTenantRls(db, 'security_events', { privileges: ['select', 'insert', 'update'] });

  // Where an organisation's alerts go besides its Admins' mailboxes: a Slack-compatible webhook, signed.
  await db.schema
    .createTable('security_alert_settings')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('webhook_url_encrypted', 'text', (c) => c.notNull())
    .addColumn('webhook_secret_encrypted', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await enableTenantRls(db, 'security_alert_settings');

  // API-token use per hour: the 7-day baseline of each token.
  await db.schema
    .createTable('security_token_usage')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'timestamptz', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('security_token_usage_pkey', ['org_id', 'token_id', 'hour'])
    .execute();
  await enableTenantRls(db, 'security_token_usage');

  // Devices and countries a user has signed in from: keyed hashes only (a blind index), never the values.
  await db.schema
    .createTable('security_seen_values')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('device', 'country')`))
    .addColumn('value_index', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('security_seen_values_pkey', ['user_id', 'kind', 'value_index'])
    .execute();
  await grantToApp(db, 'security_seen_values', ['select', 'insert', 'update', 'delete']);

  // Patterns across organisations, for Mowt's own on-call channel.
  await db.schema
    .createTable('security_oncall_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('info', 'warning', 'critical')`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('alerted_at', 'timestamptz')
    .addColumn('alert_error', 'text')
    .execute();
  await grantToApp(db, 'security_oncall_events', ['select', 'insert', 'update']);

  // ── Staff ────────────────────────────────────────────────────────────────────────────────────────────
  await db.schema
    .createTable('staff_accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email_index', 'text', (c) => c.notNull().unique())
    .addColumn('email_encrypted', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('totp_secret_encrypted', 'text')
    .addColumn('totp_confirmed_at', 'timestamptz')
    .addColumn('totp_last_step', 'bigint')
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    // The one-time setup link of `mowt staff create` (SHA-256 only).
    .addColumn('setup_token_hash', 'text', (c) => c.unique())
    .addColumn('setup_expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('disabled_at', 'timestamptz')
    .execute();
  await grantToApp(db, 'staff_accounts', ['select', 'insert', 'update']);

  await db.schema
    .createTable('staff_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('staff_id', 'uuid', (c) => c.notNull().references('staff_accounts.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('password', 'full')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('staff_sessions_staff').on('staff_sessions').column('staff_id').execute();
  await grantToApp(db, 'staff_sessions', ['select', 'insert', 'update', 'delete']);

  await db.schema
    .createTable('staff_access_grants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('staff_id', 'uuid', (c) => c.notNull().references('staff_accounts.id'))
    .addColumn('reason_encrypted', 'text', (c) => c.notNull())
    .addColumn('requested_hours', 'integer', (c) => c.notNull().check(sql`requested_hours between 1 and 72`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'approved', 'refused', 'revoked', 'cancelled')`))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('starts_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('end_reason', 'text')
    .addColumn('request_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await sql`alter table staff_access_grants add constraint staff_access_grants_window
    check (expires_at is null or (starts_at is not null and expires_at > starts_at and expires_at <= starts_at + interval '72 hours'))`.execute(db);
  await db.schema.createIndex('staff_access_grants_org').on('staff_access_grants').columns(['org_id', 'requested_at']).execute();
  await db.schema.createIndex('staff_access_grants_staff').on('staff_access_grants').columns(['staff_id', 'status']).execute();
  await enableTenantRls(db, 'staff_access_grants', { privileges: ['select', 'insert', 'update'] });
  // A staff member sees (and offboarding ends) their own grants in every organisation, with no
  // organisation set; their content stays encrypted under each organisation's key.
  await sql`create policy staff_access_grants_own_select on staff_access_grants for select to mowt_app
    using (staff_id = app_current_staff())`.execute(db);
  await sql`create policy staff_access_grants_own_update on staff_access_grants for update to mowt_app
    using (staff_id = app_current_staff()) with check (staff_id = app_current_staff())`.execute(db);

  // ── Incidents ────────────────────────────────────────────────────────────────────────────────────────
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('investigating', 'identified', 'monitoring', 'resolved')`))
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('minor', 'major', 'critical')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('personal_data_breach', 'boolean', (c) => c.notNull().defaultTo(false))
    // When Mowt became aware of the breach: the 72-hour notification clock starts here.
    .addColumn('breach_detected_at', 'timestamptz')
    .addColumn('public', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('postmortem', 'text')
    .addColumn('postmortem_published_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await grantToApp(db, 'incidents', ['select', 'insert', 'update']);

  await db.schema
    .createTable('incident_updates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_updates_incident').on('incident_updates').columns(['incident_id', 'at']).execute();
  await grantToApp(db, 'incident_updates', ['select', 'insert']);

  // Which organisations an incident affected and where each one's breach notice stands.
  await db.schema
    .createTable('incident_organisations')
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('notice_sent_at', 'timestamptz')
    .addColumn('notice_recipients', 'integer')
    .addColumn('overdue_alerted_at', 'timestamptz')
    .addPrimaryKeyConstraint('incident_organisations_pkey', ['incident_id', 'org_id'])
    .execute();
  await grantToApp(db, 'incident_organisations', ['select', 'insert', 'update', 'delete']);

  // The notice itself: drafted from the template when the breach is recorded, then mailed to the Admins.
  await db.schema
    .createTable('breach_notices')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('drafted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addColumn('recipients', 'integer')
    .execute();
  await db.schema.createIndex('breach_notices_incident_org').on('breach_notices').columns(['incident_id', 'org_id']).unique().execute();
  await enableTenantRls(db, 'breach_notices', { privileges: ['select', 'insert', 'update'] });

  await declareEncryptedColumns(db, [
    { table: 'security_events', column: 'details_encrypted', idColumn: 'id', orgColumn: 'org_id' },
    { table: 'security_alert_settings', column: 'webhook_url_encrypted', idColumn: 'org_id', orgColumn: 'org_id' },
    { table: 'security_alert_settings', column: 'webhook_secret_encrypted', idColumn: 'org_id', orgColumn: 'org_id' },
    { table: 'staff_accounts', column: 'email_encrypted', idColumn: 'id', orgColumn: null },
    { table: 'staff_accounts', column: 'totp_secret_encrypted', idColumn: 'id', orgColumn: null },
    { table: 'staff_access_grants', column: 'reason_encrypted', idColumn: 'id', orgColumn: 'org_id' },
  ]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db
    .deleteFrom('crypto_encrypted_columns')
    .where('table_name', 'in', ['security_events', 'security_alert_settings', 'staff_accounts', 'staff_access_grants'])
    .execute();
  for (const table of [
    'breach_notices',
    'incident_organisations',
    'incident_updates',
    'incidents',
    'staff_access_grants',
    'staff_sessions',
    'staff_accounts',
    'security_oncall_events',
    'security_seen_values',
    'security_token_usage',
    'security_alert_settings',
    'security_events',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function app_current_staff()`.execute(db);
}
