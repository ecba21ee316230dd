// Cheaper bulk writes of synced Stripe objects (issue 5's backfill throughput goal), measured with
// bench/stripe-sync.bench.ts and a per-statement PostgreSQL bench:
//   - The org_id foreign keys of the synced tables go. Each inserted row ran its referential check (a
//     query plus a KEY SHARE lock on the organisation's row, shared by every concurrent page transaction)
//     for nothing: the connection_id key stays, and an organisation's deletion still reaches every row
//     through it (organisation → its connections → their rows, all ON DELETE CASCADE). Row-level security,
//     not a foreign key, is what keeps a row's org_id equal to the organisation writing it.
//   - The encrypted payload is stored without compression (ciphertext does not compress; PostgreSQL tried
//     on every row over 2 kB) and a row stays in its heap page up to 8 kB (toast_tuple_target) instead of
//     being cut into TOAST chunks, each with its own heap and index insert, at 2 kB: most invoices,
//     subscriptions, charges and events are 2–5 kB of ciphertext. Larger rows are still moved out of line.
import { sql, type Kysely } from 'kysely';

export const SYNCED_OBJECT_TABLES = [
  'stripe_customers', 'stripe_products', 'stripe_prices', 'stripe_coupons', 'stripe_subscriptions', 'stripe_invoices',
  'stripe_charges', 'stripe_refunds', 'stripe_disputes', 'stripe_balance_transactions', 'stripe_events',
] as const;
const CHILD_TABLES = ['stripe_subscription_items', 'stripe_invoice_lines'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of [...SYNCED_OBJECT_TABLES, ...CHILD_TABLES]) {
    // Named by PostgreSQL's default for an inline `references` on org_id (0005_stripe).
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_org_id_fkey`)}`.execute(db);
  }
  for (const table of SYNCED_OBJECT_TABLES) {
    await sql`alter table ${sql.table(table)} alter column payload_encrypted set storage external`.execute(db);
    await sql`alter table ${sql.table(table)} set (toast_tuple_target = 8160)`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of SYNCED_OBJECT_TABLES) {
    await sql`alter table ${sql.table(table)} reset (toast_tuple_target)`.execute(db);
    await sql`alter table ${sql.table(table)} alter column payload_encrypted set storage extended`.execute(db);
  }
  for (const table of [...SYNCED_OBJECT_TABLES, ...CHILD_TABLES]) {
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_org_id_fkey`)}
      foreign key (org_id) references organisations (id) on delete cascade`.execute(db);
  }
}
