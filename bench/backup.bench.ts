// Backup and restore times on both databases (`npm run bench backup`). Rows are generated directly (the
// Stripe sync slice's data would do as well; what matters is volume): BENCH_SCALE × 100,000 invoice-like
// rows of ~300 bytes, much of it random like ciphertext. Prints backup, verify, restore and restore-test
// times, sizes and throughput; docs/operations.md quotes them for the RTO. The `large` emulator business
// holds ~1.1 million invoices: BENCH_SCALE=11 BENCH_KINDS=postgres generates as many rows and reports the
// restore time of a database that size (syncing the real business through the emulator first would take
// hours on a small machine and measure the sync, not the restore).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase } from '../test/helpers/databases.js';
import { runBackup } from '../src/backup/backup.js';
import { createLocalStore } from '../src/backup/local-store.js';
import { backupSourceFromFile, restoreBackup, type RestoreTarget } from '../src/backup/restore.js';
import { runRestoreTest } from '../src/backup/restore-test.js';
import { createFieldCrypto, createKeyring } from '../src/crypto/index.js';
import type { DbKind } from '../src/db/database.js';

const MiB = 1024 * 1024;
const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function benchKind(kind: DbKind, rows: number): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-bench-backup-'));
  const t = await createTestDatabase(kind);
  const extra: { dispose(): Promise<void> }[] = [];
  try {
    const kms = createKeyring({ dir: path.join(dir, 'keys') });
    const fc = await createFieldCrypto({ db: t.db, kms });
    const org = crypto.randomUUID();
    await t.db.owner.insertInto('organisations').values({ id: org, name: 'Bench Ltd' }).execute();
    await sql`create table bench_invoices (id bigint primary key, org_id uuid not null, amount integer not null,
      created timestamptz not null, payload text not null)`.execute(t.db.owner);
    const t0 = performance.now();
    for (let from = 1; from <= rows; from += 20_000) {
      const to = Math.min(rows, from + 19_999);
      await sql`insert into bench_invoices
        select g, ${org}::uuid, ((g::bigint * 7919) % 100000)::int, now() - make_interval(days => g % 900),
               md5(g::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || repeat('x', 150)
          from generate_series(${from}::int, ${to}::int) g`.execute(t.db.owner);
    }
    const genMs = performance.now() - t0;

    const store = createLocalStore(path.join(dir, 'backups'));
    const b0 = performance.now();
    const { manifest, location } = await runBackup({ db: t.db, crypto: fc, store, postgresUrl: t.url, production: false, primaryRegion: 'eu-west-2' });
    const backupMs = performance.now() - b0;

    let target: RestoreTarget;
    if (kind === 'pglite') target = { kind, dir: path.join(dir, 'restored') };
    else {
      const empty = await createTestDatabase('postgres', { migrate: false });
      extra.push(empty);
      target = { kind, url: empty.url! };
    }
    const r0 = performance.now();
    const restored = await restoreBackup(await backupSourceFromFile(location), { kms, target });
    const restoreTotalMs = performance.now() - r0;
    const test = await runRestoreTest({ db: t.db, kms, store, postgresUrl: t.url });
    if (!test.ok) throw new Error(`restore test failed: ${test.problems.join('; ')}`);

    return [
      `${kind.padEnd(9)} ${String(rows).padStart(9)} rows (generated in ${fmt(genMs)})`,
      `  backup        ${fmt(backupMs)}   dump ${(manifest.plaintext.bytes / MiB).toFixed(1)} MiB → ${(manifest.ciphertext.bytes / MiB).toFixed(1)} MiB encrypted  (${(manifest.plaintext.bytes / MiB / (backupMs / 1000)).toFixed(1)} MiB/s of dump)`,
      `  restore       ${fmt(restoreTotalMs)}   = verify ${fmt(restored.verifyMs)} + write ${fmt(restored.restoreMs)}  (+ empty-target check)`,
      `  restore-test  ${fmt(test.totalMs)}   = verify ${fmt(test.verifyMs)} + restore ${fmt(test.restoreMs)} + checks ${fmt(test.checkMs)}; ${test.rowsChecked} rows counted, ${test.valuesDecrypted} values decrypted`,
    ];
  } finally {
    for (const e of extra) await e.dispose();
    await t.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  const rows = Math.max(1000, Math.round(100_000 * scale));
  console.log(`backup/restore, BENCH_SCALE=${scale} (${rows} generated rows of ~300 bytes), ${os.cpus().length} cores`);
  // BENCH_KINDS=postgres skips PGlite (whose dump is taken in memory: large scales need PostgreSQL).
  const kinds = (process.env.BENCH_KINDS ?? 'pglite,postgres').split(',').filter((k): k is DbKind => k === 'pglite' || k === 'postgres');
  for (const kind of kinds) {
    for (const line of await benchKind(kind, rows)) console.log(line);
  }
}
