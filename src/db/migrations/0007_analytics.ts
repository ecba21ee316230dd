// Analytics: per-organisation metric settings and the materialised metrics the dashboard reads — org-level
// daily aggregates, each customer's sparse daily series (change days only), per-customer attributes for
// filters and the customer list, and the facts behind the period metrics (payments, cash, trials) plus the FX
// table the figures were computed with. Every table is a tenant table under forced RLS. Nothing here is
// personal data: names and emails stay encrypted in stripe_customers and are decrypted only in memory.
import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import { enableTenantRls } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const org = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => c.notNull().references('organisations.id').onDelete('cascade');

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('analytics_settings')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('preset', 'text', (c) => c.notNull().defaultTo('mowt').check(sql`preset in ('mowt', 'stripe')`))
    .addColumn('test_mode', 'text', (c) => c.notNull().defaultTo('auto').check(sql`test_mode in ('auto', 'exclude', 'include')`))
    // { customerIds?, customerMetadata?, planIds?, planMetadata? }
    .addColumn('exclude', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('accounts', 'jsonb')
    .addColumn('ltv_max_lifetime_months', 'integer', (c) => c.notNull().defaultTo(60))
    .addColumn('updated_by', 'uuid')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await enableTenantRls(db, 'analytics_settings');

  await db.schema
    .createTable('analytics_state')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    // Increases on every change of the stored figures; readers cache by it.
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('empty', 'computing', 'ready', 'failed')`))
    .addColumn('currency', 'text')
    .addColumn('timezone', 'text')
    .addColumn('range_from', 'date')
    .addColumn('range_to', 'date')
    // Fingerprint of the settings (org currency/timezone + analytics_settings) the snapshot was computed with.
    .addColumn('settings_hash', 'text')
    // Engine options used (JSON), so an incremental update applies exactly the same rules.
    .addColumn('options', 'jsonb')
    .addColumn('opening_mrr', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('opening_paying', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz')
    .addColumn('computed_at', 'timestamptz')
    .addColumn('last_incremental_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await enableTenantRls(db, 'analytics_state');

  await db.schema
    .createTable('analytics_days')
    .addColumn('org_id', 'uuid', org)
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('mrr', 'bigint', (c) => c.notNull())
    .addColumn('paying', 'integer', (c) => c.notNull())
    .addColumn('new', 'bigint', (c) => c.notNull())
    .addColumn('expansion', 'bigint', (c) => c.notNull())
    .addColumn('contraction', 'bigint', (c) => c.notNull())
    .addColumn('churn', 'bigint', (c) => c.notNull())
    .addColumn('reactivation', 'bigint', (c) => c.notNull())
    .addColumn('fx', 'bigint', (c) => c.notNull())
    .addColumn('new_customers', 'integer', (c) => c.notNull())
    .addColumn('churned_customers', 'integer', (c) => c.notNull())
    .addColumn('reactivated_customers', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_days_pkey', ['org_id', 'day'])
    .execute();
  await enableTenantRls(db, 'analytics_days');

  await db.schema
    .createTable('analytics_customers')
    .addColumn('org_id', 'uuid', org)
    // account/customer (several Stripe accounts may reuse a customer id)
    .addColumn('customer_key', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'uuid')
    .addColumn('account_id', 'text')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('mrr', 'bigint', (c) => c.notNull())
    .addColumn('native', 'jsonb', (c) => c.notNull())
    .addColumn('first_paid_date', 'date')
    .addColumn('opening_mrr', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('opening_paying', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('opening_native', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('country', 'text')
    .addColumn('currencies', sql`text[]`, (c) => c.notNull())
    .addColumn('plans', sql`text[]`, (c) => c.notNull())
    .addColumn('billing_intervals', sql`text[]`, (c) => c.notNull())
    // per price: { mrr, native, currency, subscriptions } at the end of the day the snapshot was computed
    .addColumn('plan_mrr', 'jsonb', (c) => c.notNull())
    .addColumn('customer_created', 'timestamptz')
    // analytics_state.version when the row was last written: readers refresh their caches from it
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_customers_pkey', ['org_id', 'customer_key'])
    .execute();
  await enableTenantRls(db, 'analytics_customers');

  await db.schema
    .createTable('analytics_points')
    .addColumn('org_id', 'uuid', org)
    .addColumn('customer_key', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('mrr', 'bigint', (c) => c.notNull())
    .addColumn('mrr_delta', 'bigint', (c) => c.notNull())
    .addColumn('paying', 'boolean', (c) => c.notNull())
    .addColumn('paying_delta', 'smallint', (c) => c.notNull())
    .addColumn('new', 'bigint', (c) => c.notNull())
    .addColumn('expansion', 'bigint', (c) => c.notNull())
    .addColumn('contraction', 'bigint', (c) => c.notNull())
    .addColumn('churn', 'bigint', (c) => c.notNull())
    .addColumn('reactivation', 'bigint', (c) => c.notNull())
    .addColumn('fx', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text')
    .addColumn('native', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_points_pkey', ['org_id', 'customer_key', 'day'])
    .execute();
  await sql`create index analytics_points_day on analytics_points (org_id, day)`.execute(db);
  await enableTenantRls(db, 'analytics_points');

  await db.schema
    .createTable('analytics_fx_rates')
    .addColumn('org_id', 'uuid', org)
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('rate', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_fx_rates_pkey', ['org_id', 'currency', 'day'])
    .execute();
  await enableTenantRls(db, 'analytics_fx_rates');

  await db.schema
    .createTable('analytics_invoice_facts')
    .addColumn('org_id', 'uuid', org)
    .addColumn('invoice_key', 'text', (c) => c.notNull())
    .addColumn('customer_key', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_due', 'bigint', (c) => c.notNull())
    .addColumn('first_attempt_day', 'date')
    .addColumn('first_failed', 'boolean', (c) => c.notNull())
    .addColumn('recovered_day', 'date')
    .addPrimaryKeyConstraint('analytics_invoice_facts_pkey', ['org_id', 'invoice_key'])
    .execute();
  await sql`create index analytics_invoice_facts_customer on analytics_invoice_facts (org_id, customer_key)`.execute(db);
  await enableTenantRls(db, 'analytics_invoice_facts');

  await db.schema
    .createTable('analytics_cash_facts')
    .addColumn('org_id', 'uuid', org)
    .addColumn('txn_key', 'text', (c) => c.notNull())
    .addColumn('customer_key', 'text')
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('charge', 'refund')`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('fee', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_cash_facts_pkey', ['org_id', 'txn_key'])
    .execute();
  await sql`create index analytics_cash_facts_customer on analytics_cash_facts (org_id, customer_key)`.execute(db);
  await enableTenantRls(db, 'analytics_cash_facts');

  await db.schema
    .createTable('analytics_trials')
    .addColumn('org_id', 'uuid', org)
    .addColumn('subscription_key', 'text', (c) => c.notNull())
    .addColumn('customer_key', 'text', (c) => c.notNull())
    .addColumn('trial_end_day', 'date', (c) => c.notNull())
    // first instant the subscription earned MRR at or after its trial end (null: never, so far)
    .addColumn('converted_at', 'bigint')
    .addPrimaryKeyConstraint('analytics_trials_pkey', ['org_id', 'subscription_key'])
    .execute();
  await sql`create index analytics_trials_customer on analytics_trials (org_id, customer_key)`.execute(db);
  await enableTenantRls(db, 'analytics_trials');

  // Loaders read one customer's Stripe rows on every incremental update: index the customer columns.
  await sql`create index stripe_subscriptions_customer on stripe_subscriptions (connection_id, customer_id)`.execute(db);
  await sql`create index stripe_invoices_customer on stripe_invoices (connection_id, customer_id)`.execute(db);
  await sql`create index stripe_invoice_lines_subscription on stripe_invoice_lines (connection_id, subscription_id)`.execute(db);
  await sql`create index stripe_charges_customer on stripe_charges (connection_id, customer_id)`.execute(db);
  await sql`create index stripe_refunds_charge on stripe_refunds (connection_id, charge_id)`.execute(db);
  await sql`create index stripe_balance_transactions_source on stripe_balance_transactions (connection_id, source_id)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  for (const index of ['stripe_subscriptions_customer', 'stripe_invoices_customer', 'stripe_invoice_lines_subscription', 'stripe_charges_customer', 'stripe_refunds_charge', 'stripe_balance_transactions_source']) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  }
  for (const table of ['analytics_trials', 'analytics_cash_facts', 'analytics_invoice_facts', 'analytics_fx_rates', 'analytics_points', 'analytics_customers', 'analytics_days', 'analytics_state', 'analytics_settings']) {
    await db.schema.dropTable(table).execute();
  }
}
