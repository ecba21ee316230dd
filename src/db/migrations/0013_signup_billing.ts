// Self-serve sign-up, Mowt's own subscription billing and customer communications.
// - org_billing (tenant): the organisation's plan state machine (trial → active → past_due → canceled …).
// - billing_directory (system): which organisation a Stripe customer of Mowt's own account is, and when the
//   next time-driven step (trial end, grace end, access end, erasure) is due — the two places that start
//   without an organisation (billing webhooks, the plan job). Ids and dates only.
// - billing_webhook_events (system): ids of processed billing events, so a redelivery changes nothing.
// - signup_accounts (system): users who created their organisation through public sign-up; they must
//   confirm their address before any organisation data opens.
// - notification_preferences (tenant): per member digest cadence and movement notifications (the Slack
//   webhook URL is a secret: encrypted under the organisation's key).
import { sql, type Kysely } from 'kysely';
import { declareEncryptedColumns } from '../../crypto/column-registry.js';
import { enableTenantRls, grantToApp } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_billing')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('trialing', 'trial_expired', 'active', 'past_due', 'read_only', 'canceled', 'ended', 'pending_erasure')`),
    )
    .addColumn('plan_id', 'text')
    .addColumn('billing_interval', 'text', (c) => c.check(sql`billing_interval in ('month', 'year')`))
    .addColumn('trial_ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stripe_customer_id', 'text')
    .addColumn('stripe_subscription_id', 'text')
    .addColumn('current_period_end', 'timestamptz')
    .addColumn('past_due_since', 'timestamptz')
    .addColumn('grace_ends_at', 'timestamptz')
    .addColumn('canceled_at', 'timestamptz')
    .addColumn('access_ends_at', 'timestamptz')
    .addColumn('erase_after', 'timestamptz')
    .addColumn('notices_sent', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await enableTenantRls(db, 'org_billing', { privileges: ['select', 'insert', 'update'] });

  await db.schema
    .createTable('billing_directory')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('stripe_customer_id', 'text', (c) => c.unique())
    .addColumn('next_due_at', 'timestamptz')
    .execute();
  await sql`create index billing_directory_due on billing_directory (next_due_at) where next_due_at is not null`.execute(db);
  await grantToApp(db, 'billing_directory', ['select', 'insert', 'update']);

  await db.schema
    .createTable('billing_webhook_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('org_id', 'uuid')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await grantToApp(db, 'billing_webhook_events', ['select', 'insert']);

  await db.schema
    .createTable('signup_accounts')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await grantToApp(db, 'signup_accounts', ['select', 'insert']);

  await db.schema
    .createTable('notification_preferences')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('digest', 'text', (c) => c.notNull().defaultTo('off').check(sql`digest in ('off', 'daily', 'weekly')`))
    .addColumn('digest_last_sent_at', 'timestamptz')
    .addColumn('notify_channel', 'text', (c) => c.notNull().defaultTo('off').check(sql`notify_channel in ('off', 'email', 'slack')`))
    .addColumn('notify_events', 'jsonb', (c) => c.notNull().defaultTo(sql`'["new","upgrade","downgrade","churn"]'::jsonb`))
    .addColumn('slack_webhook_encrypted', 'text')
    .addColumn('unsubscribe_nonce', 'text', (c) => c.notNull())
    .addColumn('notified_through', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index notification_preferences_member on notification_preferences (org_id, user_id)`.execute(db);
  await enableTenantRls(db, 'notification_preferences');
  // Which organisations have members with digests or notifications on, for the jobs (ids only).
  await db.schema
    .createTable('notification_orgs')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .execute();
  await grantToApp(db, 'notification_orgs', ['select', 'insert', 'delete']);
  await declareEncryptedColumns(db, [{ table: 'notification_preferences', column: 'slack_webhook_encrypted', idColumn: 'id', orgColumn: 'org_id' }]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['notification_orgs', 'notification_preferences', 'signup_accounts', 'billing_webhook_events', 'billing_directory', 'org_billing']) {
    await db.schema.dropTable(table).execute();
  }
}
