// Stripe: connections (tokens encrypted under the 'stripe' key), sync progress, and the synced objects.
// Every tenant table carries org_id under forced RLS. Synced objects keep analytics fields (amounts, dates,
// statuses, currencies) in clear typed columns and the sanitised raw payload encrypted; customers' personal
// fields are encrypted column by column. Card numbers never reach any table (src/stripe/sanitise.ts).
import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import { declareEncryptedColumns } from '../../crypto/column-registry.js';
import { enableTenantRls, grantToApp } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Columns every synced-object table shares; (connection_id, id) is the idempotency key of upserts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function objectTable(db: AnyDb, name: string): any {
  return db.schema
    .createTable(name)
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('stripe_connections.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('livemode', 'boolean', (c) => c.notNull())
    .addColumn('created', 'timestamptz')
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    // The `created` of the newest event applied to this row (unix seconds); null when it came from paging.
    .addColumn('event_created', 'bigint')
    .addColumn('payload_encrypted', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${name}_pkey`, ['connection_id', 'id']);
}

async function finishObjectTable(db: AnyDb, name: string): Promise<void> {
  await sql`create index ${sql.id(`${name}_org_created`)} on ${sql.table(name)} (org_id, created)`.execute(db);
  await enableTenantRls(db, name);
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('stripe_connections')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('oauth', 'restricted_key')`))
    .addColumn('stripe_account_id', 'text', (c) => c.notNull())
    .addColumn('livemode', 'boolean', (c) => c.notNull())
    .addColumn('account_created', 'bigint')
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('is_demo', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('token_encrypted', 'text')
    .addColumn('refresh_token_encrypted', 'text')
    .addColumn('token_expires_at', 'timestamptz')
    .addColumn('token_masked', 'text', (c) => c.notNull())
    .addColumn('webhook_secret_encrypted', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'error', 'revoked')`))
    .addColumn('last_error', 'text')
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index stripe_connections_account on stripe_connections (org_id, stripe_account_id, livemode)`.execute(db);
  await enableTenantRls(db, 'stripe_connections');

  // System directory (no secrets): which organisation a connection or Stripe account belongs to, for the
  // two places that start without one — the app-wide webhook (routed by the event's account) and the
  // scheduler that polls every connection.
  await db.schema
    .createTable('stripe_connection_directory')
    .addColumn('connection_id', 'uuid', (c) => c.primaryKey().references('stripe_connections.id').onDelete('cascade'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('stripe_account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .execute();
  await sql`create index stripe_connection_directory_account on stripe_connection_directory (stripe_account_id)`.execute(db);
  await grantToApp(db, 'stripe_connection_directory', ['select', 'insert', 'delete']);

  // OAuth `state`: only its hash is stored, bound to the session that started the flow, single use.
  await db.schema
    .createTable('stripe_oauth_states')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('state_hash', 'text', (c) => c.notNull().unique())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await enableTenantRls(db, 'stripe_oauth_states');

  await db.schema
    .createTable('stripe_sync_state')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('stripe_connections.id').onDelete('cascade'))
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .addColumn('done', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('objects_synced', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    // Lists come newest first: how far `cursor_created` has walked back from `first_created` towards the
    // account's creation is the progress the UI shows (Stripe gives no totals).
    .addColumn('first_created', 'bigint')
    .addColumn('cursor_created', 'bigint')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    .addPrimaryKeyConstraint('stripe_sync_state_pkey', ['connection_id', 'object_type'])
    .execute();
  await enableTenantRls(db, 'stripe_sync_state');

  await objectTable(db, 'stripe_customers')
    .addColumn('currency', 'text')
    .addColumn('delinquent', 'boolean')
    .addColumn('country', 'text')
    .addColumn('name_encrypted', 'text')
    .addColumn('email_encrypted', 'text')
    .addColumn('phone_encrypted', 'text')
    .addColumn('address_encrypted', 'text')
    .addColumn('metadata_encrypted', 'text')
    .execute();
  await finishObjectTable(db, 'stripe_customers');

  await objectTable(db, 'stripe_products')
    .addColumn('name', 'text')
    .addColumn('active', 'boolean')
    .execute();
  await finishObjectTable(db, 'stripe_products');

  await objectTable(db, 'stripe_prices')
    .addColumn('product_id', 'text')
    .addColumn('active', 'boolean')
    .addColumn('currency', 'text')
    .addColumn('type', 'text')
    .addColumn('billing_scheme', 'text')
    .addColumn('tiers_mode', 'text')
    .addColumn('unit_amount', 'bigint')
    .addColumn('unit_amount_decimal', 'numeric')
    .addColumn('recurring_interval', 'text')
    .addColumn('recurring_interval_count', 'integer')
    .addColumn('usage_type', 'text')
    .execute();
  await finishObjectTable(db, 'stripe_prices');

  await objectTable(db, 'stripe_coupons')
    .addColumn('percent_off', 'numeric')
    .addColumn('amount_off', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('duration', 'text')
    .addColumn('duration_in_months', 'integer')
    .addColumn('valid', 'boolean')
    .execute();
  await finishObjectTable(db, 'stripe_coupons');

  await objectTable(db, 'stripe_subscriptions')
    .addColumn('customer_id', 'text')
    .addColumn('status', 'text')
    .addColumn('currency', 'text')
    .addColumn('start_date', 'timestamptz')
    .addColumn('trial_start', 'timestamptz')
    .addColumn('trial_end', 'timestamptz')
    .addColumn('cancel_at_period_end', 'boolean')
    .addColumn('cancel_at', 'timestamptz')
    .addColumn('canceled_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('pause_behavior', 'text')
    .addColumn('pause_resumes_at', 'timestamptz')
    .execute();
  await finishObjectTable(db, 'stripe_subscriptions');

  await db.schema
    .createTable('stripe_subscription_items')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('stripe_connections.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('price_id', 'text')
    .addColumn('quantity', 'integer')
    .addColumn('created', 'timestamptz')
    .addColumn('current_period_start', 'timestamptz')
    .addColumn('current_period_end', 'timestamptz')
    .addPrimaryKeyConstraint('stripe_subscription_items_pkey', ['connection_id', 'id'])
    .execute();
  await sql`create index stripe_subscription_items_sub on stripe_subscription_items (connection_id, subscription_id)`.execute(db);
  await enableTenantRls(db, 'stripe_subscription_items');

  await objectTable(db, 'stripe_invoices')
    .addColumn('customer_id', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('status', 'text')
    .addColumn('currency', 'text')
    .addColumn('billing_reason', 'text')
    .addColumn('amount_due', 'bigint')
    .addColumn('amount_paid', 'bigint')
    .addColumn('amount_remaining', 'bigint')
    .addColumn('subtotal', 'bigint')
    .addColumn('total', 'bigint')
    .addColumn('attempt_count', 'integer')
    .addColumn('period_start', 'timestamptz')
    .addColumn('period_end', 'timestamptz')
    .execute();
  await finishObjectTable(db, 'stripe_invoices');

  await db.schema
    .createTable('stripe_invoice_lines')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('stripe_connections.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text')
    .addColumn('subscription_item_id', 'text')
    .addColumn('price_id', 'text')
    .addColumn('quantity', 'integer')
    .addColumn('amount', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('proration', 'boolean')
    .addColumn('period_start', 'timestamptz')
    .addColumn('period_end', 'timestamptz')
    .addPrimaryKeyConstraint('stripe_invoice_lines_pkey', ['connection_id', 'id'])
    .execute();
  await sql`create index stripe_invoice_lines_invoice on stripe_invoice_lines (connection_id, invoice_id)`.execute(db);
  await enableTenantRls(db, 'stripe_invoice_lines');

  await objectTable(db, 'stripe_charges')
    .addColumn('customer_id', 'text')
    .addColumn('status', 'text')
    .addColumn('currency', 'text')
    .addColumn('amount', 'bigint')
    .addColumn('amount_captured', 'bigint')
    .addColumn('amount_refunded', 'bigint')
    .addColumn('paid', 'boolean')
    .addColumn('refunded', 'boolean')
    .addColumn('disputed', 'boolean')
    .addColumn('failure_code', 'text')
    .addColumn('balance_transaction_id', 'text')
    .addColumn('card_brand', 'text')
    .addColumn('card_country', 'text')
    .addColumn('card_last4', 'text')
    .execute();
  await finishObjectTable(db, 'stripe_charges');

  await objectTable(db, 'stripe_refunds')
    .addColumn('charge_id', 'text')
    .addColumn('status', 'text')
    .addColumn('reason', 'text')
    .addColumn('currency', 'text')
    .addColumn('amount', 'bigint')
    .addColumn('balance_transaction_id', 'text')
    .execute();
  await finishObjectTable(db, 'stripe_refunds');

  await objectTable(db, 'stripe_disputes')
    .addColumn('charge_id', 'text')
    .addColumn('status', 'text')
    .addColumn('reason', 'text')
    .addColumn('currency', 'text')
    .addColumn('amount', 'bigint')
    .execute();
  await finishObjectTable(db, 'stripe_disputes');

  await objectTable(db, 'stripe_balance_transactions')
    .addColumn('type', 'text')
    .addColumn('reporting_category', 'text')
    .addColumn('status', 'text')
    .addColumn('currency', 'text')
    .addColumn('amount', 'bigint')
    .addColumn('fee', 'bigint')
    .addColumn('net', 'bigint')
    .addColumn('exchange_rate', 'numeric')
    .addColumn('source_id', 'text')
    .addColumn('available_on', 'timestamptz')
    .execute();
  await finishObjectTable(db, 'stripe_balance_transactions');

  // Events: the id dedupes webhook/poll deliveries; the sanitised event (with data.object) is kept encrypted
  // because subscription history before the oldest invoice is rebuilt from it.
  await objectTable(db, 'stripe_events')
    .addColumn('type', 'text', (c: ColumnDefinitionBuilder) => c.notNull())
    .addColumn('object_type', 'text')
    .addColumn('object_id', 'text')
    .addColumn('received_via', 'text', (c: ColumnDefinitionBuilder) => c.notNull().check(sql`received_via in ('backfill', 'poll', 'webhook')`))
    .execute();
  await finishObjectTable(db, 'stripe_events');
  await sql`create index stripe_events_object on stripe_events (connection_id, object_id, created)`.execute(db);

  // Declared so key rotation re-encrypts them; the field context's rowId is the Stripe id (connection id for
  // the connection's secrets, which use the separate 'stripe' key).
  const objectTables = ['stripe_customers', 'stripe_products', 'stripe_prices', 'stripe_coupons', 'stripe_subscriptions', 'stripe_invoices',
    'stripe_charges', 'stripe_refunds', 'stripe_disputes', 'stripe_balance_transactions', 'stripe_events'];
  await declareEncryptedColumns(db, [
    ...['token_encrypted', 'refresh_token_encrypted', 'webhook_secret_encrypted'].map((column) => ({
      table: 'stripe_connections', column, idColumn: 'id', orgColumn: 'org_id', purpose: 'stripe' as const,
    })),
    ...objectTables.map((table) => ({ table, column: 'payload_encrypted', idColumn: 'id', orgColumn: 'org_id' })),
    ...['name_encrypted', 'email_encrypted', 'phone_encrypted', 'address_encrypted', 'metadata_encrypted'].map((column) => ({
      table: 'stripe_customers', column, idColumn: 'id', orgColumn: 'org_id',
    })),
  ]);
}

export async function down(db: AnyDb): Promise<void> {
  await db.deleteFrom('crypto_encrypted_columns').where('table_name', 'like', 'stripe\\_%').execute();
  for (const table of [
    'stripe_events', 'stripe_balance_transactions', 'stripe_disputes', 'stripe_refunds', 'stripe_charges', 'stripe_invoice_lines',
    'stripe_invoices', 'stripe_subscription_items', 'stripe_subscriptions', 'stripe_coupons', 'stripe_prices', 'stripe_products',
    'stripe_customers', 'stripe_sync_state', 'stripe_oauth_states', 'stripe_connection_directory', 'stripe_connections',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
