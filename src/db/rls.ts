// Row-Level Security building blocks used by migrations. Kept stable: migrations are frozen in time,
// so changing what these emit would change history — add a new helper instead.
import { sql, type Kysely, type RawBuilder } from 'kysely';

const APP_ROLE = 'mowt_app';

export type Privilege = 'select' | 'insert' | 'update' | 'delete';
const PRIVILEGE_SQL: Record<Privilege, RawBuilder<unknown>> = {
  select: sql`select`,
  insert: sql`insert`,
  update: sql`update`,
  delete: sql`delete`,
};

/** Grants the app role exactly these privileges on a table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function grantToApp(db: Kysely<any>, table: string, privileges: Privilege[]): Promise<void> {
  const list = sql.join(privileges.map((p) => PRIVILEGE_SQL[p]));
  await sql`grant ${list} on ${sql.table(table)} to ${sql.id(APP_ROLE)}`.execute(db);
}

/**
 * Turns on forced RLS for a tenant table and adds its isolation policy: a row is visible and writable only
 * when its organisation column equals the transaction's app.org_id. Grants the app role `privileges`.
 */
export async function enableTenantRls(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: string,
  opts: { column?: string; privileges?: Privilege[] } = {},
): Promise<void> {
  const column = opts.column ?? 'org_id';
  const t = sql.table(table);
  await sql`alter table ${t} enable row level security`.execute(db);
  await sql`alter table ${t} force row level security`.execute(db);
  await sql`create policy ${sql.id(`${table}_tenant_isolation`)} on ${t} to ${sql.id(APP_ROLE)}
    using (${sql.ref(column)} = app_current_org())
    with check (${sql.ref(column)} = app_current_org())`.execute(db);
  await grantToApp(db, table, opts.privileges ?? ['select', 'insert', 'update', 'delete']);
}
