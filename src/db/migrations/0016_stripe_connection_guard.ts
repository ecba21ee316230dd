// Cheaper writes of synced Stripe objects, the second step (issue 5's backfill throughput goal, measured
// with bench/stripe-sync.bench.ts; numbers in docs/stripe-sync.md):
//   - The connection_id foreign keys of the synced tables go. Each inserted row ran its referential check
//     (a query plus a KEY SHARE lock on the connection's row): ~13 % of PostgreSQL's CPU in a backfill.
//     What they guaranteed stays, with one lock per write instead of one per row:
//       * every write of synced rows first locks its connection's row FOR KEY SHARE and fails when the row
//         is gone (src/stripe/objects-repo.ts), so no row is written for a deleted connection, and a
//         deletion waits for the writes in flight to commit;
//       * deleting a connection deletes its synced rows (this trigger), as ON DELETE CASCADE did, whoever
//         deletes it (disconnect, or an organisation's deletion cascading to its connections).
//   - The (org_id, created) indexes of the synced object tables go: no query reads them (every read is by
//     connection and id, customer, charge, invoice or subscription), and each row paid an index insert.
import { sql, type Kysely } from 'kysely';

const OBJECT_TABLES = [
  'stripe_customers', 'stripe_products', 'stripe_prices', 'stripe_coupons', 'stripe_subscriptions', 'stripe_invoices',
  'stripe_charges', 'stripe_refunds', 'stripe_disputes', 'stripe_balance_transactions', 'stripe_events',
] as const;
const SYNCED_TABLES = [...OBJECT_TABLES, 'stripe_subscription_items', 'stripe_invoice_lines'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of SYNCED_TABLES) {
    // Named by PostgreSQL's default for an inline `references` on connection_id (0005_stripe).
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_connection_id_fkey`)}`.execute(db);
  }
  for (const table of OBJECT_TABLES) await sql`drop index ${sql.id(`${table}_org_created`)}`.execute(db);
  // Runs as whoever deletes the connection: inside a tenant transaction the policies let it reach exactly
  // that organisation's rows, which are the connection's. The table names are this migration's constants.
  await sql`create function stripe_connection_deleted() returns trigger language plpgsql as $$
  declare synced text;
  begin
    foreach synced in array array[${sql.join(SYNCED_TABLES.map((t) => sql.lit(t)))}]::text[] loop
      execute format('delete from %I where connection_id = $1', synced) using old.id;
    end loop;
    return null;
  end
  $$`.execute(db);
  await sql`create trigger stripe_connection_deleted after delete on stripe_connections
    for each row execute function stripe_connection_deleted()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger stripe_connection_deleted on stripe_connections`.execute(db);
  await sql`drop function stripe_connection_deleted()`.execute(db);
  for (const table of OBJECT_TABLES) {
    await sql`create index ${sql.id(`${table}_org_created`)} on ${sql.table(table)} (org_id, created)`.execute(db);
  }
  for (const table of SYNCED_TABLES) {
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_connection_id_fkey`)}
      foreign key (connection_id) references stripe_connections (id) on delete cascade`.execute(db);
  }
}
