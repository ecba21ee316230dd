// `mowt restore-test` (and the monthly job): restores the newest backup into a scratch database — PGlite
// in a temporary folder, or a temporary database on the same PostgreSQL server — and checks it: manifest
// hashes (by the restore itself), schema version, rows per table against the manifest, and a sample of
// encrypted values per declared column decrypted through src/crypto with the configured KMS. Values of
// crypto-shredded organisations count as shredded, not failed: that is erasure working. The result, with
// timings, is recorded in backup_restore_tests and the system audit chain; the scratch copy is removed.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { systemClock, type Clock } from '../clock.js';
import { createFieldCrypto, KeyDestroyedError, type FieldCrypto, type FieldPurpose, type Kms } from '../crypto/index.js';
import { openDatabase, type Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { recordRestoreTest } from './backup-log.js';
import type { BackupStore } from './backup-store.js';
import type { BackupManifest } from './manifest.js';
import type { PgToolOptions } from './pg-tools.js';
import { restoreBackup, type BackupSource, type RestoreTarget } from './restore.js';
import { countRows, schemaVersion } from './snapshot-stats.js';
import type { TransferProgress } from './transfer.js';

export interface RestoreTestOptions {
  /** The primary database: results are recorded here; for PostgreSQL the scratch database is made beside it. */
  db: Db;
  kms: Kms;
  store: BackupStore;
  /** Owner connection string of the primary (PostgreSQL backups): the scratch database lives on its server. */
  postgresUrl?: string;
  pgTools?: PgToolOptions;
  /** Test this backup instead of the newest. */
  backupId?: string;
  /** Encrypted values decrypted per declared column (default 5). */
  samplePerColumn?: number;
  clock?: Clock;
  onProgress?: (p: TransferProgress) => void;
}

export interface TableCheck {
  table: string;
  expected: number;
  actual: number | null;
}

export interface RestoreTestReport {
  backupId: string | null;
  ok: boolean;
  problems: string[];
  verifyMs: number;
  restoreMs: number;
  checkMs: number;
  totalMs: number;
  tables: TableCheck[];
  rowsChecked: number;
  valuesDecrypted: number;
  valuesShredded: number;
}

export async function runRestoreTest(opts: RestoreTestOptions): Promise<RestoreTestReport> {
  const clock = opts.clock ?? systemClock;
  const startedAt = clock();
  const t0 = performance.now();
  const report: RestoreTestReport = {
    backupId: null,
    ok: false,
    problems: [],
    verifyMs: 0,
    restoreMs: 0,
    checkMs: 0,
    totalMs: 0,
    tables: [],
    rowsChecked: 0,
    valuesDecrypted: 0,
    valuesShredded: 0,
  };
  try {
    const backups = await opts.store.list();
    const chosen = opts.backupId ? backups.find((b) => b.manifest.backupId === opts.backupId) : backups[0];
    if (!chosen) {
      report.problems.push(opts.backupId ? `backup ${opts.backupId} is not in ${opts.store.description}` : `no backup in ${opts.store.description}`);
    } else {
      report.backupId = chosen.manifest.backupId;
      const source: BackupSource = { manifest: chosen.manifest, openFile: () => opts.store.openFile(chosen.manifest.file) };
      await withScratch(opts, chosen.manifest, async (target) => {
        const restored = await restoreBackup(source, { kms: opts.kms, target, pgTools: opts.pgTools, onProgress: opts.onProgress });
        report.verifyMs = restored.verifyMs;
        report.restoreMs = restored.restoreMs;
        const t = performance.now();
        const scratch = await openDatabase(target.kind === 'pglite' ? { kind: 'pglite', dir: target.dir } : { kind: 'postgres', url: target.url, poolSize: 2 });
        try {
          await checkRestored(scratch, chosen.manifest, opts, report);
        } finally {
          await scratch.close();
          report.checkMs = performance.now() - t;
        }
      });
    }
  } catch (err) {
    report.problems.push((err as Error).message);
  }
  report.ok = report.problems.length === 0;
  report.totalMs = performance.now() - t0;
  await recordRestoreTest(opts.db, {
    backupId: report.backupId,
    startedAt,
    finishedAt: clock(),
    ok: report.ok,
    verifyMs: report.verifyMs,
    restoreMs: report.restoreMs,
    checkMs: report.checkMs,
    tablesChecked: report.tables.length,
    rowsChecked: report.rowsChecked,
    valuesDecrypted: report.valuesDecrypted,
    valuesShredded: report.valuesShredded,
    problems: report.problems,
  });
  return report;
}

async function withScratch(opts: RestoreTestOptions, manifest: BackupManifest, fn: (t: RestoreTarget) => Promise<void>): Promise<void> {
  if (manifest.dbKind === 'pglite') {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mowt-restore-test-'));
    try {
      await fn({ kind: 'pglite', dir: path.join(dir, 'db') });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    return;
  }
  if (!opts.postgresUrl) throw new Error('restore-test of a PostgreSQL backup needs the server (DATABASE_URL)');
  // Generated from hex digits only; an identifier cannot be a bound parameter, so it goes in as sql.id.
  const name = `mowt_restore_test_${randomBytes(6).toString('hex')}`;
  await sql`create database ${sql.id(name)}`.execute(opts.db.owner);
  const url = new URL(opts.postgresUrl);
  url.pathname = `/${name}`;
  try {
    await fn({ kind: 'postgres', url: url.toString() });
  } finally {
    await dropScratchDatabase(opts.db, name);
  }
}

/**
 * Drops the scratch database once the connections we opened to it have gone. Closing a pool does not wait
 * for the server to see its sockets close, and forcing the drop at once would terminate them mid-close
 * (an error nobody is listening for), so wait a moment first and force only as the last resort.
 */
async function dropScratchDatabase(db: Db, name: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await sql`drop database if exists ${sql.id(name)}`.execute(db.owner);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006') throw err; // 55006: still being accessed
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(db.owner);
}

async function checkRestored(scratch: Db, manifest: BackupManifest, opts: RestoreTestOptions, report: RestoreTestReport): Promise<void> {
  const version = await schemaVersion(scratch.owner);
  if (version !== manifest.schemaVersion) report.problems.push(`schema version ${version}, manifest says ${manifest.schemaVersion}`);

  const actual = new Map((await countRows(scratch.owner)).map((t) => [`${t.schema}.${t.table}`, t.rows]));
  for (const t of manifest.tables) {
    const name = `${t.schema}.${t.table}`;
    const rows = actual.get(name) ?? null;
    report.tables.push({ table: name, expected: t.rows, actual: rows });
    if (rows === null) report.problems.push(`table ${name} is missing`);
    else if (rows !== t.rows) report.problems.push(`table ${name}: ${rows} rows, manifest says ${t.rows}`);
    else report.rowsChecked += rows;
  }
  // Counted before any crypto set-up, which may add key rows to the scratch copy.
  const crypto = await createFieldCrypto({ db: scratch, kms: opts.kms, clock: opts.clock });
  await decryptSample(scratch.owner, crypto, opts.samplePerColumn ?? 5, report);
}

async function decryptSample(owner: Kysely<Database>, crypto: FieldCrypto, perColumn: number, report: RestoreTestReport): Promise<void> {
  const columns = await owner.selectFrom('crypto_encrypted_columns').selectAll().orderBy('table_name').orderBy('column_name').execute();
  for (const c of columns) {
    const org = c.org_column === null ? sql<string | null>`null::text` : sql<string | null>`${sql.ref(c.org_column)}::text`;
    const { rows } = await sql<{ id: string; org: string | null; value: string }>`
      select ${sql.ref(c.id_column)}::text as id, ${org} as org, ${sql.ref(c.column_name)} as value
        from ${sql.table(c.table_name)}
       where ${sql.ref(c.column_name)} is not null
       order by 1 limit ${perColumn}`.execute(owner);
    for (const r of rows) {
      const ctx = { table: c.table_name, column: c.column_name, rowId: r.id, purpose: c.purpose as FieldPurpose };
      try {
        await crypto.decryptField(r.org, ctx, r.value);
        report.valuesDecrypted += 1;
      } catch (err) {
        if (err instanceof KeyDestroyedError) report.valuesShredded += 1;
        else report.problems.push(`${c.table_name}.${c.column_name} row ${r.id}: ${(err as Error).message}`);
      }
    }
  }
}
