// Data minimisation of synced Stripe objects: the sanitised, encrypted payload is kept only for the objects
// Mowt reads one of (customers, prices, coupons, subscriptions, invoices and `customer.subscription.*`
// events; `keepsPayload` in src/stripe/object-kinds.ts). Products, charges, refunds, disputes, balance
// transactions and all other events are used only through their typed columns, so the rest of them
// (charges' billing details and receipt emails, the personal data in `customer.*` events) is no longer
// stored, and the payloads already stored are deleted here. It also makes a backfill cheaper: about half
// of a large account's objects no longer cost a JSON serialisation, a seal and their bytes in PostgreSQL.
// Down restores NOT NULL by deleting the rows without a payload and their object types' sync state, so the
// next sync reads them again from Stripe (events older than Stripe's 30 days cannot come back).
import { sql, type Kysely, type RawBuilder } from 'kysely';

/** Tables whose payloads are no longer kept, with the sync state's object type each is filled by. */
const WITHOUT_PAYLOAD = [
  ['stripe_products', 'products'], ['stripe_charges', 'charges'], ['stripe_refunds', 'refunds'],
  ['stripe_disputes', 'disputes'], ['stripe_balance_transactions', 'balance_transactions'],
] as const;

/**
 * Runs a statement over every organisation's rows: the tables' row-level security is forced, which binds
 * their owner (the migrating role) too, so it is lifted for the statement and forced again (DDL in the
 * migration's transaction: no request sees the table meanwhile).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function acrossOrganisations(db: Kysely<any>, table: string, statement: RawBuilder<unknown>): Promise<bigint> {
  await sql`alter table ${sql.table(table)} no force row level security`.execute(db);
  const { numAffectedRows } = await statement.execute(db);
  await sql`alter table ${sql.table(table)} force row level security`.execute(db);
  return numAffectedRows ?? 0n;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const [table] of [...WITHOUT_PAYLOAD, ['stripe_events', 'events'] as const]) {
    await sql`alter table ${sql.table(table)} alter column payload_encrypted drop not null`.execute(db);
  }
  for (const [table] of WITHOUT_PAYLOAD) {
    await acrossOrganisations(db, table, sql`update ${sql.table(table)} set payload_encrypted = null where payload_encrypted is not null`);
  }
  await acrossOrganisations(db, 'stripe_events', sql`update stripe_events set payload_encrypted = null
    where payload_encrypted is not null and type not like 'customer.subscription.%'`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, type] of [...WITHOUT_PAYLOAD, ['stripe_events', 'events'] as const]) {
    const deleted = await acrossOrganisations(db, table, sql`delete from ${sql.table(table)} where payload_encrypted is null`);
    if (deleted > 0n) await acrossOrganisations(db, 'stripe_sync_state', sql`delete from stripe_sync_state where object_type = ${type}`);
    await sql`alter table ${sql.table(table)} alter column payload_encrypted set not null`.execute(db);
  }
}
