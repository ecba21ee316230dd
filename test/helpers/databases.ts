// Test databases: every data-layer suite runs against embedded PGlite (in memory) AND the real PostgreSQL
// this machine runs (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). Each call makes a
// fresh, migrated database; PostgreSQL ones are dropped afterwards. A missing PostgreSQL fails loudly.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The connection string `url` with another database (and, if given, another user). */
export function withDatabase(url: string, name: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  if (user) u.username = user;
  return u.toString();
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A digest of what a migrated database is made from: the data layer's source and the locked packages. */
function schemaDigest(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) hash.update(path.relative(REPO, file)).update(fs.readFileSync(file));
    }
  };
  walk(path.join(REPO, 'src/db'));
  hash.update(fs.readFileSync(path.join(REPO, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

let template: Promise<Blob> | undefined;

/**
 * A migrated PGlite data folder to start each test database from: migrating an empty PGlite takes seconds,
 * loading a dumped one well under one, and suites make a hundred or more. Kept in the temporary folder per
 * schema digest (so any change to a migration makes a new one), shared by every test file and run.
 */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const file = path.join(os.tmpdir(), `mowt-pglite-template-${schemaDigest()}.tar`);
    if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
    const db = await openDatabase({ kind: 'pglite' });
    try {
      await migrateToLatest(db.owner);
      const dump = await db.pglite!.dumpDataDir('none');
      // Written aside and renamed, so a concurrent reader never loads half a file.
      const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
      fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(partial, file);
      return dump;
    } finally {
      await db.close();
    }
  })();
  return template;
}

export async function createTestDatabase(kind: DbKind, opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = opts.migrate ?? true;
  if (kind === 'pglite') {
    const db = migrate ? await openDatabase({ kind: 'pglite', loadDataDir: await pgliteTemplate() }) : await openDatabase({ kind: 'pglite' });
    // The template is current by construction; this only confirms nothing is pending (no work when so).
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
