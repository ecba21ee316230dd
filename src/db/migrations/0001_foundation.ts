// Foundation: the unprivileged app role, the tenant helper function, and the first tenant table.
import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from '../rls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Roles are cluster-wide: another database on the same server may have created it already.
  await sql`do $$ begin
      create role mowt_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
    exception when duplicate_object or unique_violation then null;
    end $$`.execute(db);
  await sql`grant usage on schema public to mowt_app`.execute(db);
  // The organisation a transaction is scoped to, or NULL (which matches no row) when none is set.
  await sql`create function app_current_org() returns uuid language sql stable as
    $$ select nullif(current_setting('app.org_id', true), '')::uuid $$`.execute(db);

  await db.schema
    .createTable('organisations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('reporting_currency', 'char(3)', (c) => c.notNull().defaultTo('GBP'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Europe/London'))
    .addColumn('data_region', 'text', (c) => c.notNull().defaultTo('eu-west-2'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await enableTenantRls(db, 'organisations', { column: 'id' });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('organisations').execute();
  await sql`drop function app_current_org()`.execute(db);
  await sql`revoke usage on schema public from mowt_app`.execute(db);
}
