// Imported exchange rates (issue 6: "daily rates taken from Stripe's balance transactions, or an imported
// rates file"). analytics_fx_imports (tenant, forced RLS) holds the organisation's last imported file, one
// rate per currency and day, as units of `quote_currency` (the reporting currency when it was imported) per
// one unit of `currency`. Rates are published market data, not secrets or personal data, so they are stored
// in clear like the FX table the snapshot was computed with (analytics_fx_rates). analytics_settings gains the
// source setting and who imported the file when.
import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('analytics_fx_imports')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('rate', 'text', (c) => c.notNull())
    .addColumn('quote_currency', 'text', (c) => c.notNull().check(sql`quote_currency ~ '^[A-Z]{3}$'`))
    .addPrimaryKeyConstraint('analytics_fx_imports_pkey', ['org_id', 'currency', 'day'])
    .execute();
  await enableTenantRls(db, 'analytics_fx_imports');

  await db.schema
    .alterTable('analytics_settings')
    .addColumn('fx_source', 'text', (c) => c.notNull().defaultTo('imported-then-stripe').check(sql`fx_source in ('stripe', 'imported', 'imported-then-stripe')`))
    .execute();
  await db.schema.alterTable('analytics_settings').addColumn('fx_imported_at', 'timestamptz').execute();
  await db.schema.alterTable('analytics_settings').addColumn('fx_imported_by', 'uuid').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('analytics_settings').dropColumn('fx_imported_by').execute();
  await db.schema.alterTable('analytics_settings').dropColumn('fx_imported_at').execute();
  await db.schema.alterTable('analytics_settings').dropColumn('fx_source').execute();
  await db.schema.dropTable('analytics_fx_imports').execute();
}
