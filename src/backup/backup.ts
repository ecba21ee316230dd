// `mowt backup`: snapshot → gzip → AES-256-GCM frames → store, hashing both sides on the way, then the
// signed manifest. Nothing is held in memory beyond a chunk (PGlite's dump API aside), and the file only
// becomes visible in the store once complete; the manifest is written after it, so a listed backup is
// always whole. Every run, good or failed, is recorded in backup_runs and the system audit chain.
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { systemClock, type Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { DEFAULT_CHUNK_BYTES, FORMAT, type BackupHeader } from './backup-format.js';
import { BackupKeyError, newBackupDataKey } from './backup-key.js';
import { recordBackupRun } from './backup-log.js';
import { fileNameOf, type BackupStore } from './backup-store.js';
import { checkBackupDestination } from './destination-policy.js';
import { EncryptStream } from './encrypt-stream.js';
import { MANIFEST_FORMAT, signManifest, type BackupManifest } from './manifest.js';
import { dumpPostgres, type DumpSource } from './pg-dump.js';
import { dumpPglite } from './pglite-dump.js';
import type { PgToolOptions } from './pg-tools.js';
import { MeasureStream, type TransferProgress } from './transfer.js';

export interface BackupOptions {
  db: Db;
  crypto: FieldCrypto;
  store: BackupStore;
  /** The owner's connection string (PostgreSQL): pg_dump connects with it. */
  postgresUrl?: string;
  pgTools?: PgToolOptions;
  production: boolean;
  primaryRegion: string;
  clock?: Clock;
  chunkBytes?: number;
  onProgress?: (p: TransferProgress) => void;
}

export interface BackupResult {
  manifest: BackupManifest;
  location: string;
}

/** e.g. mowt-20261125T141500Z-pglite-1a2b3c: sorts by time, names the database kind, never collides. */
export function newBackupId(at: Date, kind: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `mowt-${stamp}-${kind}-${randomBytes(3).toString('hex')}`;
}

export async function runBackup(opts: BackupOptions): Promise<BackupResult> {
  const clock = opts.clock ?? systemClock;
  const { db, store } = opts;
  const startedAt = clock();
  const t0 = performance.now();
  const backupId = newBackupId(startedAt, db.kind);
  const file = fileNameOf(backupId);
  try {
    const result = await takeBackup(opts, backupId, file, startedAt, t0);
    await recordBackupRun(db, {
      backupId,
      startedAt,
      finishedAt: clock(),
      ok: true,
      dbKind: db.kind,
      destination: store.description,
      bytes: result.manifest.ciphertext.bytes,
      error: null,
    });
    return result;
  } catch (err) {
    await recordBackupRun(db, {
      backupId,
      startedAt,
      finishedAt: clock(),
      ok: false,
      dbKind: db.kind,
      destination: store.description,
      bytes: null,
      error: (err as Error).message.slice(0, 500),
    }).catch(() => undefined); // the backup's own error is the one to report
    throw err;
  }
}

async function takeBackup(opts: BackupOptions, backupId: string, file: string, startedAt: Date, t0: number): Promise<BackupResult> {
  const { db, store } = opts;
  const key = await newBackupDataKey(opts.crypto);
  try {
    // Production backup keys are held by AWS KMS: a key from a keyring file on the same machine would sit
    // beside the data it is meant to protect.
    if (opts.production && key.kmsKind !== 'aws-kms') {
      throw new BackupKeyError(`refusing to back up in production with a ${key.kmsKind} key: the backup key must live in AWS KMS (KMS_KEY_ID)`);
    }
    const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const header: BackupHeader = {
      format: FORMAT,
      backupId,
      createdAt: startedAt.toISOString(),
      dbKind: db.kind,
      kek: { kind: key.kmsKind, ref: key.kekRef, version: key.kekVersion },
      wrappedKey: key.wrapped.toString('base64'),
      chunkBytes,
      compression: 'gzip',
    };

    const write = async (dump: DumpSource) => {
      checkBackupDestination({
        production: opts.production,
        primaryRegion: opts.primaryRegion,
        destinationRegion: store.region,
        orgDataRegions: dump.stats.orgDataRegions,
      });
      const plain = new MeasureStream((bytes) =>
        opts.onProgress?.({ phase: 'backup', bytes, total: dump.sizeHint, exact: dump.sizeIsExact, elapsedMs: performance.now() - t0 }),
      );
      const cipher = new MeasureStream();
      const encrypted = new EncryptStream(key.plaintext, header);
      const stored = store.putFile(file, cipher);
      await Promise.all([pipeline(dump.stream, plain, createGzip({ level: 6 }), encrypted, cipher), stored]);
      return { stats: dump.stats, plain, cipher, location: (await stored).location };
    };
    const out = db.kind === 'postgres' ? await dumpPostgres(db, requireUrl(opts), opts.pgTools ?? {}, write) : await dumpPglite(db, write);

    const manifest = signManifest(
      {
        format: MANIFEST_FORMAT,
        backupId,
        file,
        createdAt: startedAt.toISOString(),
        dbKind: db.kind,
        schemaVersion: out.stats.schemaVersion,
        dumpFormat: db.kind === 'postgres' ? 'pg_dump-custom' : 'pglite-datadir-tar',
        key: { kmsKind: key.kmsKind, kekRef: key.kekRef, kekVersion: key.kekVersion, scope: 'system', purpose: 'backup' },
        cipher: { algorithm: 'AES-256-GCM', chunkBytes, compression: 'gzip' },
        plaintext: { bytes: out.plain.bytes, sha256: out.plain.sha256() },
        ciphertext: { bytes: out.cipher.bytes, sha256: out.cipher.sha256() },
        tables: out.stats.tables,
        regions: { primary: opts.primaryRegion, destination: store.region, orgDataRegions: out.stats.orgDataRegions },
        durationMs: Math.round(performance.now() - t0),
      },
      key.plaintext,
    );
    await store.putManifest(manifest);
    return { manifest, location: out.location };
  } finally {
    key.plaintext.fill(0);
  }
}

function requireUrl(opts: BackupOptions): string {
  if (!opts.postgresUrl) throw new Error('backing up PostgreSQL needs its connection string (DATABASE_URL)');
  return opts.postgresUrl;
}
