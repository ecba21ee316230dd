// Organisation API tokens for the read-only public API (/api/v1). Only the SHA-256 of a token is stored; its
// public prefix finds the row. The directory maps a prefix to its organisation before one is known (the
// bearer check starts from the token alone); it holds no secret. Token names and the last caller's address
// may identify a person, so both are ciphertexts under the organisation's key.
import { sql, type Kysely } from 'kysely';
import { declareEncryptedColumns } from '../../crypto/column-registry.js';
import { enableTenantRls, grantToApp } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('prefix', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('name_encrypted', 'text', (c) => c.notNull())
    // Space-separated read scopes, e.g. 'metrics:read org:read' (the OAuth scope-string shape).
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('last_used_ip_encrypted', 'text')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid')
    .execute();
  await sql`create index api_tokens_org_created on api_tokens (org_id, created_at)`.execute(db);
  await enableTenantRls(db, 'api_tokens', { privileges: ['select', 'insert', 'update'] });

  await db.schema
    .createTable('api_token_directory')
    .addColumn('prefix', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'uuid', (c) => c.notNull().references('api_tokens.id').onDelete('cascade'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .execute();
  await grantToApp(db, 'api_token_directory', ['select', 'insert']);

  await declareEncryptedColumns(db, [
    { table: 'api_tokens', column: 'name_encrypted', idColumn: 'id', orgColumn: 'org_id' },
    { table: 'api_tokens', column: 'last_used_ip_encrypted', idColumn: 'id', orgColumn: 'org_id' },
  ]);
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('api_token_directory').execute();
  await db.schema.dropTable('api_tokens').execute();
}
