// Opens the database named by config: embedded PGlite (default) or PostgreSQL.
// `owner` runs migrations and operator tasks; `app` serves requests. Every app transaction also drops to
// the unprivileged APP_ROLE (see tenant.ts), so Row-Level Security applies even to a superuser login.
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { PGliteDialect } from './pglite-dialect.js';
import { namePreparedStatements } from './prepared-statements.js';

/** The role every request runs as; created by the first migration. Not owner, not superuser, no BYPASSRLS. */
export const APP_ROLE = 'mowt_app';

export type DbKind = 'pglite' | 'postgres';

export interface Db {
  kind: DbKind;
  owner: Kysely<Database>;
  app: Kysely<Database>;
  /**
   * The embedded instance, PGlite only. For operator tasks that need PGlite itself (backups dump its data
   * directory with dumpDataDir); run them inside `owner.connection()` so no Kysely transaction is open.
   */
  pglite?: PGlite;
  close(): Promise<void>;
}

export type DatabaseTarget =
  // dir undefined = in memory (tests); loadDataDir starts from a dumped data folder (tests' migrated template)
  | { kind: 'pglite'; dir?: string; loadDataDir?: Blob }
  | { kind: 'postgres'; url: string; appUrl?: string; poolSize?: number };

// Keep bigint/numeric/timestamps predictable with node-postgres: int8 → JS number is unsafe, so keep strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export async function openDatabase(target: DatabaseTarget, onIdleError: (err: Error) => void = () => undefined): Promise<Db> {
  if (target.kind === 'pglite') {
    if (target.dir) fs.mkdirSync(target.dir, { recursive: true, mode: 0o700 });
    const pglite = target.dir ? new PGlite(target.dir) : new PGlite(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {});
    await pglite.waitReady;
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return { kind: 'pglite', owner: db, app: db, pglite, close: () => db.destroy() };
  }
  const pool = (url: string) => {
    const p = new pg.Pool({ connectionString: url, max: target.poolSize ?? 10, application_name: 'mowt' });
    // An idle connection the server closes (restart, failover, admin termination) is dropped from the pool
    // and the next query opens a new one; without a listener node-postgres would crash the process.
    p.on('error', (err) => onIdleError(err));
    p.on('connect', namePreparedStatements);
    return p;
  };
  const owner = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool(target.url) }) });
  const app = target.appUrl ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool(target.appUrl) }) }) : owner;
  return {
    kind: 'postgres',
    owner,
    app,
    close: async () => {
      if (app !== owner) await app.destroy();
      await owner.destroy();
    },
  };
}

/** Cheap liveness probe of the database connection. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
