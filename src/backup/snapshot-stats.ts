// What a backup records about the snapshot it was taken from, read on the snapshot's own connection:
// rows per table (restore-test compares them), the schema version and the organisations' data regions.
// Table names come from the catalogue and reach SQL only as quoted identifiers (sql.id), never as text.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { TableCount } from './manifest.js';

export interface SnapshotStats {
  tables: TableCount[];
  schemaVersion: string;
  orgDataRegions: string[];
}

/** Ordinary tables in every schema except PostgreSQL's own. */
export async function listTables(k: Kysely<Database>): Promise<{ schema: string; table: string }[]> {
  const { rows } = await sql<{ schema: string; table: string }>`
    select n.nspname as schema, c.relname as table
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r'
       and n.nspname not in ('pg_catalog', 'information_schema')
       and n.nspname not like 'pg\_%'
     order by 1, 2`.execute(k);
  return rows;
}

export async function countRows(k: Kysely<Database>): Promise<TableCount[]> {
  const out: TableCount[] = [];
  for (const t of await listTables(k)) {
    const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.id(t.schema, t.table)}`.execute(k);
    out.push({ ...t, rows: Number(rows[0]?.n ?? 0) });
  }
  return out;
}

export async function schemaVersion(k: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(k);
  return rows[0]?.name ?? '(none)';
}

export async function snapshotStats(k: Kysely<Database>): Promise<SnapshotStats> {
  const { rows } = await sql<{ region: string }>`select distinct data_region as region from organisations order by 1`.execute(k);
  return { tables: await countRows(k), schemaVersion: await schemaVersion(k), orgDataRegions: rows.map((r) => r.region) };
}

/**
 * Row-level security is forced on tenant tables, even for their owner: a dump or count made by a role that
 * does not bypass it would silently miss every organisation's rows. Refuse instead (PostgreSQL only;
 * PGlite's user is a superuser).
 */
export async function assertBypassesRls(k: Kysely<Database>, what: string): Promise<void> {
  const { rows } = await sql<{ ok: boolean }>`
    select (rolsuper or rolbypassrls) as ok from pg_roles where rolname = current_user`.execute(k);
  if (!rows[0]?.ok) {
    throw new Error(`${what} needs a database login that bypasses row-level security (superuser or BYPASSRLS) in DATABASE_URL`);
  }
}

/** True when the database holds no tables or schemas of its own (a restore may write into it). */
export async function isEmptyDatabase(k: Kysely<Database>): Promise<{ empty: boolean; found: string[] }> {
  const { rows } = await sql<{ name: string }>`
    select n.nspname || '.' || c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
       and n.nspname not in ('pg_catalog', 'information_schema')
       and n.nspname not like 'pg\_%'
    union all
    select nspname from pg_namespace
     where nspname not in ('public', 'pg_catalog', 'information_schema') and nspname not like 'pg\_%'
    order by 1 limit 5`.execute(k);
  return { empty: rows.length === 0, found: rows.map((r) => r.name) };
}
