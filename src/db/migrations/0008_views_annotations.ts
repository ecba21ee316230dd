// Saved views (named segments: dashboard filters plus Stripe metadata key/value pairs) and chart annotations
// ("price change" on a date). Both are shared by the whole team of an organisation, so they are tenant tables
// under forced RLS. What people type into them (names, labels, notes, metadata values that can name a
// customer) is encrypted under the organisation's data key; only dates and bookkeeping stay clear.
import { sql, type Kysely } from 'kysely';
import { declareEncryptedColumns } from '../../crypto/column-registry.js';
import { enableTenantRls } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saved_views')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    // JSON { name, filters }: one ciphertext, so a name and its filters can never be mixed between rows.
    .addColumn('content_encrypted', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_views_org').on('saved_views').columns(['org_id', 'created_at']).execute();
  await enableTenantRls(db, 'saved_views');

  await db.schema
    .createTable('chart_annotations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    // The calendar day the annotation marks, in the organisation's reporting time zone (like the metrics).
    .addColumn('on_date', 'date', (c) => c.notNull())
    // JSON { label, note }.
    .addColumn('content_encrypted', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chart_annotations_org_date').on('chart_annotations').columns(['org_id', 'on_date']).execute();
  await enableTenantRls(db, 'chart_annotations');

  await declareEncryptedColumns(db, [
    { table: 'saved_views', column: 'content_encrypted', idColumn: 'id', orgColumn: 'org_id' },
    { table: 'chart_annotations', column: 'content_encrypted', idColumn: 'id', orgColumn: 'org_id' },
  ]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('crypto_encrypted_columns').where('table_name', 'in', ['saved_views', 'chart_annotations']).execute();
  await db.schema.dropTable('chart_annotations').execute();
  await db.schema.dropTable('saved_views').execute();
}
