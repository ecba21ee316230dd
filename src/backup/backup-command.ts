// Operator commands: `mowt backup`, `mowt restore FILE`, `mowt restore-test`, `mowt backups list|prune`.
// Each prints what it did and sets a non-zero exit code on failure. Code loads only when a command runs.
import { acquireEmbeddedLock } from '../db/embedded-lock.js';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';

type Out = (line: string) => void;

async function openConfigured(): Promise<{ config: Config; db: Db }> {
  const [{ loadConfig }, { openDatabase }, { unmigratedReason }] = await Promise.all([
    import('../config.js'),
    import('../db/database.js'),
    import('../db/migrate.js'),
  ]);
  const config = loadConfig();
  if (config.database.kind === 'pglite') assertEmbeddedNotOpen(config.database.dir);
  const db = await openDatabase(config.database);
  const unmigrated = await unmigratedReason(db.owner);
  if (unmigrated) {
    await db.close();
    throw new Error(unmigrated);
  }
  return { config, db };
}

/**
 * PGlite has no lock between processes: a second process opening the data directory of a running Mowt
 * would corrupt it. The folder's lock (src/db/embedded-lock.ts) names the live process holding it; it is
 * held until this command's process exits.
 */
export function assertEmbeddedNotOpen(dir: string, what = 'mowt backup'): void {
  acquireEmbeddedLock(dir, what);
}

const pgUrl = (config: Config) => (config.database.kind === 'postgres' ? config.database.url : undefined);

export async function backupCommand(opts: { prune?: boolean }, out: Out = console.log): Promise<number> {
  const { config, db } = await openConfigured();
  try {
    const [{ createKmsFromConfig, createFieldCrypto }, { runBackup }, { createBackupStore }, { pruneBackups }, { createProgressPrinter, formatBytes, formatDuration }] =
      await Promise.all([import('../crypto/index.js'), import('./backup.js'), import('./create-store.js'), import('./prune.js'), import('./progress.js')]);
    const kms = createKmsFromConfig(config);
    const crypto = await createFieldCrypto({ db, kms });
    const store = createBackupStore(config);
    out(`backing up the ${db.kind === 'pglite' ? `embedded database (${config.database.kind === 'pglite' ? config.database.dir : ''})` : 'PostgreSQL database'} to ${store.description}`);
    const progress = createProgressPrinter();
    let result;
    try {
      result = await runBackup({
        db,
        crypto,
        store,
        postgresUrl: pgUrl(config),
        pgTools: { binDir: config.backup.pgBinDir },
        production: config.env === 'production',
        primaryRegion: config.backup.primaryRegion,
        onProgress: progress.update,
      });
    } finally {
      progress.done();
    }
    const m = result.manifest;
    const rows = m.tables.reduce((n, t) => n + t.rows, 0);
    out(`backup ${m.backupId}: ${m.tables.length} tables, ${rows} rows, dump ${formatBytes(m.plaintext.bytes)} → ${formatBytes(m.ciphertext.bytes)} encrypted, in ${formatDuration(m.durationMs)}`);
    out(`  file     ${result.location}`);
    out(`  sha256   ${m.ciphertext.sha256}`);
    out(`  schema   ${m.schemaVersion}; key ${m.key.kekRef} (${m.key.kmsKind} v${m.key.kekVersion}); regions ${m.regions.orgDataRegions.join(', ') || 'none'} → ${m.regions.destination}`);
    if (opts.prune !== false) {
      const pruned = await pruneBackups(store, db);
      out(pruned.length ? `pruned ${pruned.length} backup(s) past retention: ${pruned.join(', ')}` : 'nothing to prune');
    }
    return 0;
  } finally {
    await db.close();
  }
}

export async function restoreCommand(file: string, opts: { manifest?: string; targetUrl?: string; targetDir?: string }, out: Out = console.log): Promise<number> {
  const [{ loadConfig }, { createKmsFromConfig }, { backupSourceFromFile, restoreBackup }, { createProgressPrinter, formatBytes, formatDuration }, { openDatabase }, { appendAudit }] =
    await Promise.all([import('../config.js'), import('../crypto/index.js'), import('./restore.js'), import('./progress.js'), import('../db/database.js'), import('../audit/index.js')]);
  const config = loadConfig();
  const source = await backupSourceFromFile(file, opts.manifest);
  const m = source.manifest;
  const target =
    m.dbKind === 'postgres'
      ? { kind: 'postgres' as const, url: opts.targetUrl ?? pgUrl(config) ?? '' }
      : { kind: 'pglite' as const, dir: opts.targetDir ?? (config.database.kind === 'pglite' ? config.database.dir : '') };
  if ((target.kind === 'postgres' && !target.url) || (target.kind === 'pglite' && !target.dir)) {
    throw new Error(`a ${m.dbKind} backup needs a ${m.dbKind === 'postgres' ? 'PostgreSQL target (--target-url or DATABASE_URL)' : 'target folder (--target-dir)'}`);
  }
  if (target.kind === 'pglite') assertEmbeddedNotOpen(target.dir, 'mowt restore');
  out(`restoring ${m.backupId} (${m.dbKind}, taken ${m.createdAt}, schema ${m.schemaVersion}) into ${target.kind === 'pglite' ? target.dir : 'the PostgreSQL target database'}`);
  const progress = createProgressPrinter();
  let result;
  try {
    result = await restoreBackup(source, { kms: createKmsFromConfig(config), target, pgTools: { binDir: config.backup.pgBinDir }, onProgress: progress.update });
  } finally {
    progress.done();
  }
  out(`verified ${formatBytes(m.ciphertext.bytes)} (sha256, manifest MAC, every frame) in ${formatDuration(result.verifyMs)}; restored in ${formatDuration(result.restoreMs)}`);
  const db = await openDatabase(target.kind === 'pglite' ? target : { kind: 'postgres', url: target.url, poolSize: 1 });
  try {
    await appendAudit(db, { orgId: null, actor: { type: 'system' }, action: 'backup.restored', target: { type: 'backup', id: m.backupId }, metadata: { createdAt: m.createdAt, schemaVersion: m.schemaVersion } });
  } finally {
    await db.close();
  }
  out('done: run `mowt migrate` before starting Mowt on the restored database (a no-op when the schema is current)');
  return 0;
}

export async function restoreTestCommand(opts: { backup?: string }, out: Out = console.log): Promise<number> {
  const { config, db } = await openConfigured();
  try {
    const [{ createKmsFromConfig }, { runRestoreTest }, { createBackupStore }, { createProgressPrinter, formatDuration }] = await Promise.all([
      import('../crypto/index.js'),
      import('./restore-test.js'),
      import('./create-store.js'),
      import('./progress.js'),
    ]);
    const store = createBackupStore(config);
    out(`restore test: ${opts.backup ?? 'newest backup'} from ${store.description} into a scratch ${db.kind === 'pglite' ? 'PGlite folder' : 'PostgreSQL database'}`);
    const progress = createProgressPrinter();
    let r;
    try {
      r = await runRestoreTest({ db, kms: createKmsFromConfig(config), store, postgresUrl: pgUrl(config), pgTools: { binDir: config.backup.pgBinDir }, backupId: opts.backup, onProgress: progress.update });
    } finally {
      progress.done();
    }
    const mismatched = r.tables.filter((t) => t.actual !== t.expected);
    out(`backup       ${r.backupId ?? '(none)'}`);
    out(`verify       ${formatDuration(r.verifyMs)}  (key, manifest MAC, sha256, every frame)`);
    out(`restore      ${formatDuration(r.restoreMs)}`);
    out(`checks       ${formatDuration(r.checkMs)}  ${r.tables.length} tables, ${r.rowsChecked} rows match the manifest${mismatched.length ? `, ${mismatched.length} differ` : ''}`);
    out(`decrypted    ${r.valuesDecrypted} sampled values${r.valuesShredded ? ` (${r.valuesShredded} of crypto-shredded organisations, unreadable as intended)` : ''}`);
    out(`total        ${formatDuration(r.totalMs)}`);
    for (const p of r.problems) out(`  problem: ${p}`);
    out(r.ok ? 'RESULT: PASS (recorded)' : 'RESULT: FAIL (recorded)');
    return r.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

export async function listBackupsCommand(out: Out = console.log): Promise<number> {
  const [{ loadConfig }, { createBackupStore }, { describeRetention }, { formatBytes }] = await Promise.all([
    import('../config.js'),
    import('./create-store.js'),
    import('./retention.js'),
    import('./progress.js'),
  ]);
  const config = loadConfig();
  const store = createBackupStore(config);
  const stored = await store.list();
  if (stored.length === 0) {
    out(`no backups in ${store.description}`);
    return 0;
  }
  const reasons = describeRetention(stored.map((s) => ({ backupId: s.manifest.backupId, createdAt: new Date(s.manifest.createdAt), good: true })), new Date());
  out(`${stored.length} backup(s) in ${store.description}`);
  out(`${'backup'.padEnd(42)}${'taken (UTC)'.padEnd(22)}${'kind'.padEnd(10)}${'size'.padStart(11)}  kept as`);
  for (const s of stored) {
    const m = s.manifest;
    out(`${m.backupId.padEnd(42)}${m.createdAt.slice(0, 19).replace('T', ' ').padEnd(22)}${m.dbKind.padEnd(10)}${formatBytes(m.ciphertext.bytes).padStart(11)}  ${reasons.get(m.backupId)}`);
  }
  return 0;
}

export async function pruneBackupsCommand(opts: { dryRun?: boolean }, out: Out = console.log): Promise<number> {
  const { config, db } = await openConfigured();
  try {
    const [{ createBackupStore }, { pruneBackups }] = await Promise.all([import('./create-store.js'), import('./prune.js')]);
    const store = createBackupStore(config);
    const doomed = await pruneBackups(store, db, undefined, opts.dryRun);
    out(doomed.length === 0 ? 'nothing to prune' : `${opts.dryRun ? 'would delete' : 'deleted'} ${doomed.length} backup(s): ${doomed.join(', ')}`);
    return 0;
  } finally {
    await db.close();
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('take an encrypted snapshot of the database into the backup folder, then prune past retention')
    .option('--no-prune', 'keep every backup this time')
    .action(async (opts: { prune?: boolean }) => {
      process.exitCode = await backupCommand(opts);
    });
  program
    .command('restore')
    .argument('<file>', 'the .mowtbak file (its .manifest.json beside it)')
    .description('verify a backup completely, then restore it into an EMPTY database (refuses a non-empty one)')
    .option('--manifest <path>', 'the manifest, when not beside the file')
    .option('--target-url <url>', 'PostgreSQL database to restore into (default DATABASE_URL)')
    .option('--target-dir <dir>', 'empty folder for an embedded database (default <MOWT_DATA_DIR>/db)')
    .action(async (file: string, opts: { manifest?: string; targetUrl?: string; targetDir?: string }) => {
      process.exitCode = await restoreCommand(file, opts);
    });
  program
    .command('restore-test')
    .description('restore the newest backup into a scratch database, check hashes, row counts and decryption; record the result')
    .option('--backup <id>', 'test this backup instead of the newest')
    .action(async (opts: { backup?: string }) => {
      process.exitCode = await restoreTestCommand(opts);
    });
  const backups = program.command('backups').description('list or prune backups');
  backups
    .command('list')
    .description('backups in the backup folder and why each is kept')
    .action(async () => {
      process.exitCode = await listBackupsCommand();
    });
  backups
    .command('prune')
    .description('delete backups past retention (30 daily, 1 year weekly; the newest good one always kept)')
    .option('--dry-run', 'only say what would be deleted')
    .action(async (opts: { dryRun?: boolean }) => {
      process.exitCode = await pruneBackupsCommand(opts);
    });
}
