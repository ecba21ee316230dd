// `mowt restore FILE`: verify everything first, write second. Before the target is touched the whole file
// is read once: the key must open it, the manifest's MAC must hold, every frame must authenticate, the
// final frame must be there, and both sha256 sums and sizes must match the manifest. Only then is the
// dump written — PostgreSQL in a single pg_restore transaction, PGlite into an empty folder — so a
// tampered, truncated or wrong-key backup changes nothing.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { sql } from 'kysely';
import type { Kms } from '../crypto/index.js';
import { openDatabase } from '../db/database.js';
import { migrations } from '../db/migrations/index.js';
import { BackupFormatError, BackupIntegrityError, decodeHeader, type BackupHeader } from './backup-format.js';
import { openBackupDataKey } from './backup-key.js';
import { FILE_SUFFIX, MANIFEST_SUFFIX } from './backup-store.js';
import { DecryptStream } from './encrypt-stream.js';
import { parseManifest, verifyManifest, type BackupManifest } from './manifest.js';
import { restorePostgres } from './pg-dump.js';
import { isEmptyDir, restorePglite } from './pglite-dump.js';
import type { PgToolOptions } from './pg-tools.js';
import { isEmptyDatabase } from './snapshot-stats.js';
import { MeasureStream, type TransferProgress } from './transfer.js';

export type RestoreTarget = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };

/** The target already holds data: restore only ever writes into an empty database. */
export class RestoreTargetNotEmptyError extends Error {
  override name = 'RestoreTargetNotEmptyError';
}

export interface BackupSource {
  manifest: BackupManifest;
  /** Opens the encrypted file from the start (called once per pass). */
  openFile(): Readable;
}

/** A backup file given on the command line; its manifest is the sibling <id>.manifest.json (or `manifestPath`). */
export async function backupSourceFromFile(file: string, manifestPath?: string): Promise<BackupSource> {
  const resolved = path.resolve(file);
  const guess = resolved.endsWith(FILE_SUFFIX) ? resolved.slice(0, -FILE_SUFFIX.length) + MANIFEST_SUFFIX : `${resolved}${MANIFEST_SUFFIX}`;
  const mPath = manifestPath ? path.resolve(manifestPath) : guess;
  let text: string;
  try {
    text = await fsp.readFile(mPath, 'utf8');
  } catch {
    throw new BackupFormatError(`the manifest ${mPath} could not be read: a backup is restored with its manifest (use --manifest)`);
  }
  const manifest = parseManifest(text);
  await fsp.access(resolved, fs.constants.R_OK);
  return { manifest, openFile: () => fs.createReadStream(resolved, { highWaterMark: 1024 * 1024 }) };
}

async function readHeader(source: BackupSource): Promise<BackupHeader> {
  const stream = source.openFile();
  let buf = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      buf = Buffer.concat([buf, chunk as Buffer]);
      const parsed = decodeHeader(buf);
      if (parsed) return parsed.header;
    }
  } finally {
    stream.destroy();
  }
  throw new BackupFormatError('the backup file ends inside its header (truncated)');
}

export interface VerifyOptions {
  kms: Kms;
  onProgress?: (p: TransferProgress) => void;
}

export interface OpenedBackup {
  manifest: BackupManifest;
  header: BackupHeader;
  key: Buffer;
}

/** Opens the key and checks the manifest's MAC and its agreement with the file's header. */
export async function openBackup(source: BackupSource, kms: Kms): Promise<OpenedBackup> {
  const { manifest } = source;
  const header = await readHeader(source);
  if (header.backupId !== manifest.backupId || header.dbKind !== manifest.dbKind || header.createdAt !== manifest.createdAt) {
    throw new BackupIntegrityError(`the file holds backup ${header.backupId}, but the manifest describes ${manifest.backupId}`);
  }
  const key = await openBackupDataKey(kms, header);
  verifyManifest(manifest, key);
  return { manifest, header, key };
}

/** One full decrypting pass; `sink` receives the verified dump (or nothing is kept when omitted). */
async function decryptPass(source: BackupSource, opened: OpenedBackup, phase: TransferProgress['phase'], sink: Writable, onProgress?: VerifyOptions['onProgress']) {
  const t0 = performance.now();
  const total = opened.manifest.ciphertext.bytes;
  const cipher = new MeasureStream((bytes) => onProgress?.({ phase, bytes, total, exact: true, elapsedMs: performance.now() - t0 }));
  const plain = new MeasureStream();
  await pipeline(source.openFile(), cipher, new DecryptStream(opened.key), createGunzip(), plain, sink);
  return { cipher, plain };
}

/** Reads the whole backup and proves it is the one the manifest describes; writes nothing anywhere. */
export async function verifyBackup(source: BackupSource, opts: VerifyOptions & { keep?: Buffer[] }): Promise<OpenedBackup> {
  const opened = await openBackup(source, opts.kms);
  const keep = opts.keep;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      keep?.push(chunk);
      done();
    },
  });
  let measured: Awaited<ReturnType<typeof decryptPass>>;
  try {
    measured = await decryptPass(source, opened, 'verify', sink, opts.onProgress);
  } catch (err) {
    if (err instanceof BackupIntegrityError || err instanceof BackupFormatError) throw err;
    // gunzip failing after every frame authenticated cannot come from an outsider; name it anyway.
    throw new BackupIntegrityError(`the backup could not be read: ${(err as Error).message}`);
  }
  const m = opened.manifest;
  const { cipher, plain } = measured;
  const cipherSha = cipher.sha256();
  const plainSha = plain.sha256();
  if (cipher.bytes !== m.ciphertext.bytes || cipherSha !== m.ciphertext.sha256) {
    throw new BackupIntegrityError(`the backup file does not match its manifest (sha256 ${cipherSha.slice(0, 12)}…, ${cipher.bytes} bytes; expected ${m.ciphertext.sha256.slice(0, 12)}…, ${m.ciphertext.bytes} bytes)`);
  }
  if (plain.bytes !== m.plaintext.bytes || plainSha !== m.plaintext.sha256) {
    throw new BackupIntegrityError('the decrypted dump does not match its manifest (sha256 or size differs)');
  }
  return opened;
}

export async function assertTargetEmpty(target: RestoreTarget): Promise<void> {
  if (target.kind === 'pglite') {
    if (!(await isEmptyDir(target.dir))) {
      throw new RestoreTargetNotEmptyError(`refusing to restore: ${target.dir} is not empty (restore writes only into an empty database folder)`);
    }
    return;
  }
  const db = await openDatabase({ kind: 'postgres', url: target.url, poolSize: 1 });
  try {
    const { empty, found } = await isEmptyDatabase(db.owner);
    if (!empty) {
      throw new RestoreTargetNotEmptyError(
        `refusing to restore: the target database is not empty (found ${found.join(', ')}); create an empty database and restore into it`,
      );
    }
  } finally {
    await db.close();
  }
}

/**
 * Roles are cluster-wide and not part of a database dump: the app role must exist for the dump's grants.
 * Created (as migration 0001 does) only once the backup has been verified.
 */
async function ensureAppRole(url: string): Promise<void> {
  const db = await openDatabase({ kind: 'postgres', url, poolSize: 1 });
  try {
    await sql`do $$ begin
        create role mowt_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
      exception when duplicate_object or unique_violation then null;
      end $$`.execute(db.owner);
  } finally {
    await db.close();
  }
}

export interface RestoreOptions extends VerifyOptions {
  target: RestoreTarget;
  pgTools?: PgToolOptions;
}

export interface RestoreResult {
  manifest: BackupManifest;
  verifyMs: number;
  restoreMs: number;
}

export async function restoreBackup(source: BackupSource, opts: RestoreOptions): Promise<RestoreResult> {
  const { manifest } = source;
  const { target } = opts;
  if (manifest.dbKind !== target.kind) {
    throw new BackupFormatError(`a ${manifest.dbKind} backup restores into a ${manifest.dbKind} database, not ${target.kind}`);
  }
  if (!(manifest.schemaVersion in migrations)) {
    throw new BackupFormatError(`the backup's schema (${manifest.schemaVersion}) is newer than this version of Mowt knows; restore with a newer release`);
  }
  await assertTargetEmpty(target);

  const t0 = performance.now();
  const keep: Buffer[] | undefined = target.kind === 'pglite' ? [] : undefined;
  const opened = await verifyBackup(source, { ...opts, keep });
  const verifyMs = performance.now() - t0;

  const t1 = performance.now();
  try {
    // Checked again: the target may have been written to while the backup was being verified.
    await assertTargetEmpty(target);
    if (target.kind === 'pglite') {
      await restorePglite(target.dir, new Blob((keep ?? []).map((b) => new Uint8Array(b.buffer, b.byteOffset, b.length) as Uint8Array<ArrayBuffer>)));
    } else {
      // Second pass, now that the file is known good; pg_restore runs it as one transaction.
      const t = performance.now();
      const cipher = new MeasureStream((bytes) =>
        opts.onProgress?.({ phase: 'restore', bytes, total: manifest.ciphertext.bytes, exact: true, elapsedMs: performance.now() - t }),
      );
      // The file is read again: were it changed since verification, a frame fails to authenticate, the
      // stream errors, pg_restore sees a cut input and its transaction rolls back.
      await ensureAppRole(target.url);
      const dump = new PassThrough({ highWaterMark: 1024 * 1024 });
      const feeding = pipeline(source.openFile(), cipher, new DecryptStream(opened.key), createGunzip(), dump);
      try {
        await Promise.all([feeding, restorePostgres(target.url, dump, opts.pgTools ?? {})]);
      } catch (err) {
        dump.destroy();
        await feeding.catch(() => undefined);
        throw err;
      }
    }
  } finally {
    opened.key.fill(0);
  }
  return { manifest, verifyMs, restoreMs: performance.now() - t1 };
}
