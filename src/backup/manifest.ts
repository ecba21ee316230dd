// The manifest written beside every backup file: what is inside, how to check it, and which key opens it.
// It is authenticated with an HMAC under a key derived from the backup's data key, so whoever can alter
// the manifest (row counts, hashes) without the KMS cannot make a substituted file look right.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { BackupFormatError, BackupIntegrityError, type BackupDbKind } from './backup-format.js';

export const MANIFEST_FORMAT = 'mowt-backup-manifest-1';

export interface TableCount {
  schema: string;
  table: string;
  rows: number;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  backupId: string;
  /** File name of the encrypted backup, relative to the manifest. */
  file: string;
  createdAt: string;
  dbKind: BackupDbKind;
  /** Name of the newest applied migration: a restore needs code that knows this schema. */
  schemaVersion: string;
  /** How the dump was taken: 'pg_dump-custom' (pg_restore) or 'pglite-datadir-tar' (PGlite loadDataDir). */
  dumpFormat: 'pg_dump-custom' | 'pglite-datadir-tar';
  key: { kmsKind: string; kekRef: string; kekVersion: number; scope: 'system'; purpose: 'backup' };
  cipher: { algorithm: 'AES-256-GCM'; chunkBytes: number; compression: 'gzip' };
  /** The uncompressed dump. */
  plaintext: { bytes: number; sha256: string };
  /** The file as stored. */
  ciphertext: { bytes: number; sha256: string };
  /** Rows per table in the snapshot the dump was taken from. */
  tables: TableCount[];
  /** Organisations' data regions included, and where the backup was written. */
  regions: { primary: string; destination: string; orgDataRegions: string[] };
  durationMs: number;
  /** HMAC-SHA256 (base64url) of the canonical JSON of every other field. */
  mac: string;
}

export type UnsignedManifest = Omit<BackupManifest, 'mac'>;

/** JSON with object keys sorted at every level: the same manifest always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function macKey(dataKey: Buffer): Buffer {
  // A separate key for the MAC: the data key itself is only ever used for GCM.
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'mowt-backup-manifest-mac', 32));
}

function macOf(body: UnsignedManifest, dataKey: Buffer): Buffer {
  return createHmac('sha256', macKey(dataKey)).update(canonicalJson(body)).digest();
}

export function signManifest(body: UnsignedManifest, dataKey: Buffer): BackupManifest {
  return { ...body, mac: macOf(body, dataKey).toString('base64url') };
}

export function verifyManifest(manifest: BackupManifest, dataKey: Buffer): void {
  const { mac, ...body } = manifest;
  const given = Buffer.from(mac, 'base64url');
  const expected = macOf(body, dataKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new BackupIntegrityError('the manifest failed authentication: it was altered, or belongs to another backup');
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses manifest JSON and checks its shape (not its MAC: that needs the key, see verifyManifest). */
export function parseManifest(text: string): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(text) as BackupManifest;
  } catch {
    throw new BackupFormatError('the manifest is not valid JSON');
  }
  const ok =
    m !== null &&
    typeof m === 'object' &&
    m.format === MANIFEST_FORMAT &&
    typeof m.backupId === 'string' &&
    typeof m.file === 'string' &&
    !m.file.includes('/') &&
    !m.file.includes('\\') &&
    typeof m.createdAt === 'string' &&
    !Number.isNaN(Date.parse(m.createdAt)) &&
    (m.dbKind === 'pglite' || m.dbKind === 'postgres') &&
    typeof m.schemaVersion === 'string' &&
    typeof m.key?.kekRef === 'string' &&
    Number.isSafeInteger(m.plaintext?.bytes) &&
    HEX64.test(m.plaintext?.sha256 ?? '') &&
    Number.isSafeInteger(m.ciphertext?.bytes) &&
    HEX64.test(m.ciphertext?.sha256 ?? '') &&
    Array.isArray(m.tables) &&
    m.tables.every((t) => typeof t.schema === 'string' && typeof t.table === 'string' && Number.isSafeInteger(t.rows)) &&
    typeof m.mac === 'string';
  if (!ok) throw new BackupFormatError(`not a Mowt backup manifest (expected format ${MANIFEST_FORMAT})`);
  return m;
}
