// Customers' name, email, phone, address and metadata were sealed twice: each in its own encrypted column,
// and again inside payload_encrypted, which holds the whole sanitised object. Only name, email and metadata
// were ever read, by the analytics cache and the digest, and both now read them from the payload. The
// copies go: personal data is kept once (data minimisation), and a backfill seals five values fewer per
// customer (~40 % of all the AES-GCM seals of a backfill; bench/stripe-sync.bench.ts).
// The down migration brings the columns back empty: the payload still holds every value.
import { sql, type Kysely } from 'kysely';
import { declareEncryptedColumns } from '../../crypto/column-registry.js';

const COLUMNS = ['name_encrypted', 'email_encrypted', 'phone_encrypted', 'address_encrypted', 'metadata_encrypted'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Re-encryption after a key rotation walks the declared columns: a dropped column must not be one.
  await db.deleteFrom('crypto_encrypted_columns').where('table_name', '=', 'stripe_customers').where('column_name', 'in', [...COLUMNS]).execute();
  for (const column of COLUMNS) await sql`alter table stripe_customers drop column ${sql.ref(column)}`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const column of COLUMNS) await sql`alter table stripe_customers add column ${sql.ref(column)} text`.execute(db);
  await declareEncryptedColumns(db, COLUMNS.map((column) => ({ table: 'stripe_customers', column, idColumn: 'id', orgColumn: 'org_id' })));
}
