// Stripe ids compared byte by byte: the synced tables' Stripe id columns get the "C" collation instead of
// the database's default (C.UTF-8 on this machine, often en_US.UTF-8 elsewhere), whose comparisons go
// through the C library's locale machinery. A backfill's PostgreSQL time at a large account is mostly
// B-tree inserts keyed by random Stripe ids (docs/stripe-sync.md); in a 1,000,000-row upsert bench the
// "C" columns cost 12 % less CPU. Ids are ASCII, which C.UTF-8 sorts by code point as "C" does; under
// another default the order of ids changes, harmlessly: keyset pages order and compare by the same column,
// so they stay consistent, and nothing else depends on how ids sort. Comparing a "C" column with a
// default-collation column or a parameter is allowed (the non-default collation wins), so the analytics
// tables and queries need no change.
// Changing only the collation rewrites no table; the indexes on these columns are rebuilt.
import { sql, type Kysely } from 'kysely';

/** Every column of the synced tables that holds a Stripe id (its own or another object's). */
export const STRIPE_ID_COLUMNS: Record<string, readonly string[]> = {
  stripe_customers: ['id'],
  stripe_products: ['id'],
  stripe_prices: ['id', 'product_id'],
  stripe_coupons: ['id'],
  stripe_subscriptions: ['id', 'customer_id'],
  stripe_subscription_items: ['id', 'subscription_id', 'price_id'],
  stripe_invoices: ['id', 'customer_id', 'subscription_id'],
  stripe_invoice_lines: ['id', 'invoice_id', 'subscription_id', 'subscription_item_id', 'price_id'],
  stripe_charges: ['id', 'customer_id', 'balance_transaction_id'],
  stripe_refunds: ['id', 'charge_id', 'balance_transaction_id'],
  stripe_disputes: ['id', 'charge_id'],
  stripe_balance_transactions: ['id', 'source_id'],
  stripe_events: ['id', 'object_id'],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function collate(db: Kysely<any>, collation: 'C' | 'default'): Promise<void> {
  for (const [table, columns] of Object.entries(STRIPE_ID_COLUMNS)) {
    const changes = columns.map((c) => sql`alter column ${sql.id(c)} type text collate ${sql.id(collation)}`);
    await sql`alter table ${sql.table(table)} ${sql.join(changes)}`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await collate(db, 'C');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await collate(db, 'default');
}
