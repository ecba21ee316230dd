// The app-wide Stripe webhook delivers a Stripe App event only to the connections of its account that read
// the event's mode (test-mode data never enters a live connection). The mode lived only on the tenant row
// of each connection, so routing opened one tenant transaction per candidate to read it, and delivery then
// read the same row again. The system directory now carries it beside the account id it routes by: set
// when the entry is written (the app role may insert and delete entries, never rewrite them), and a
// connection's mode never changes.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table stripe_connection_directory add column livemode boolean`.execute(db);
  // stripe_connections is under forced row-level security whose policies are for the app role only, so the
  // owner sees none of its rows. The forcing is lifted for this one statement, inside the migration's own
  // transaction: no other session ever sees the table unforced.
  await sql`alter table stripe_connections no force row level security`.execute(db);
  await sql`update stripe_connection_directory d set livemode = c.livemode from stripe_connections c where c.id = d.connection_id`.execute(db);
  await sql`alter table stripe_connections force row level security`.execute(db);
  await sql`alter table stripe_connection_directory alter column livemode set not null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table stripe_connection_directory drop column livemode`.execute(db);
}
