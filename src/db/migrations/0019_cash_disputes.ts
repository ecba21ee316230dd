// Net cash counts disputes: a dispute withdraws the disputed amount (and Stripe's dispute fee), and a won
// dispute gives the amount back (docs/metrics.md §9). The cash facts gain the 'dispute' type; a dispute's
// amount is what it withdrew, negative for a reversal. Existing facts stay valid; the next recompute of an
// organisation (hourly at the latest, as its snapshot ages a day) writes its disputes.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table analytics_cash_facts drop constraint analytics_cash_facts_type_check`.execute(db);
  await sql`alter table analytics_cash_facts add constraint analytics_cash_facts_type_check check (type in ('charge', 'refund', 'dispute'))`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from analytics_cash_facts where type = 'dispute'`.execute(db);
  await sql`alter table analytics_cash_facts drop constraint analytics_cash_facts_type_check`.execute(db);
  await sql`alter table analytics_cash_facts add constraint analytics_cash_facts_type_check check (type in ('charge', 'refund'))`.execute(db);
}
