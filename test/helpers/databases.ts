// Test databases: every data-layer suite runs against embedded PGlite (in memory) AND the real PostgreSQL
// this machine runs (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). Each call makes a
// fresh, migrated database; PostgreSQL ones are dropped afterwards. A missing PostgreSQL fails loudly.
import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db, type DbKind } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export const DB_KINDS: DbKind[] = ['pglite', 'postgres'];
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Db;
  kind: DbKind;
  /** Connection string of the PostgreSQL database (undefined for PGlite). */
  url?: string;
  dispose(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is required for this test but is not reachable at ${TEST_DATABASE_URL} (${(err as Error).message}). ` +
        `Start it (e.g. pg_ctlcluster 15 main start) or set TEST_DATABASE_URL.`,
      { cause: err },
    );
  }
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(kind: DbKind, opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = opts.migrate ?? true;
  if (kind === 'pglite') {
    const db = await openDatabase({ kind: 'pglite' });
    if (migrate) await migrateToLatest(db.owner);
    return { db, kind, dispose: () => db.close() };
  }
  const name = `mowt_t_${crypto.randomBytes(6).toString('hex')}`;
  // The name is generated above from hex digits only; identifiers cannot be bound as parameters.
  await adminQuery(`create database ${name}`);
  const url = withDatabase(TEST_DATABASE_URL, name);
  const db = await openDatabase({ kind: 'postgres', url, poolSize: 5 });
  try {
    if (migrate) await migrateToLatest(db.owner);
  } catch (err) {
    await db.close();
    await adminQuery(`drop database if exists ${name} with (force)`);
    throw err;
  }
  return {
    db,
    kind,
    url,
    async dispose() {
      await db.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
