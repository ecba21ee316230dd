// The encrypted backup file format, "mowt-backup-1". A file is a small clear header followed by
// independently sealed chunks, so a backup of any size is written and read as a stream:
//
//   "MOWTBAK1" | u32 BE header length | header JSON | frame* 
//   frame = u8 flags (1 = final) | u32 BE ciphertext length | ciphertext | 16-byte GCM tag
//
// Each frame is AES-256-GCM under the backup's own data key. The nonce is the frame index (the key is
// fresh for every backup, so an index never repeats under one key) and the associated data binds the
// frame to sha256(header), its index and its final flag: swapping headers, reordering, dropping or
// duplicating frames, or cutting the file after any frame all fail authentication or the "final frame"
// rule. The header names the key-encryption key that wraps the data key; it holds no secret.
import { createHash } from 'node:crypto';

export const MAGIC = Buffer.from('MOWTBAK1', 'ascii');
export const FORMAT = 'mowt-backup-1';
export const TAG_BYTES = 16;
export const FRAME_HEAD_BYTES = 5;
export const FLAG_FINAL = 1;
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Frames larger than this are refused before any allocation (a corrupt length must not exhaust memory). */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;

export type BackupDbKind = 'pglite' | 'postgres';

export interface BackupHeader {
  format: typeof FORMAT;
  backupId: string;
  createdAt: string;
  dbKind: BackupDbKind;
  /** Which key-encryption key wraps the data key: KMS kind, reference (keyring name or KMS ARN), version. */
  kek: { kind: string; ref: string; version: number };
  /** The backup's data key, wrapped by the KEK (base64). */
  wrappedKey: string;
  chunkBytes: number;
  /** The plaintext inside the frames: the database dump compressed with gzip. */
  compression: 'gzip';
}

/** The file is not a Mowt backup, or its structure is broken (as opposed to failing authentication). */
export class BackupFormatError extends Error {
  override name = 'BackupFormatError';
}

/** Authentication failed: the file was altered, truncated, reordered, or the key is not this backup's. */
export class BackupIntegrityError extends Error {
  override name = 'BackupIntegrityError';
}

export function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, len, json]);
}

/**
 * Parses the header at the start of `buf`. Returns undefined when more bytes are needed, else the header,
 * its exact bytes (bound into every frame) and where the frames start.
 */
export function decodeHeader(buf: Buffer): { header: BackupHeader; bytes: Buffer; end: number } | undefined {
  if (buf.length < MAGIC.length + 4) {
    if (!MAGIC.subarray(0, Math.min(buf.length, MAGIC.length)).equals(buf.subarray(0, MAGIC.length))) {
      throw new BackupFormatError('not a Mowt backup file (wrong magic bytes)');
    }
    return undefined;
  }
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupFormatError('not a Mowt backup file (wrong magic bytes)');
  const len = buf.readUInt32BE(MAGIC.length);
  if (len === 0 || len > MAX_HEADER_BYTES) throw new BackupFormatError(`backup header length ${len} is out of range`);
  const end = MAGIC.length + 4 + len;
  if (buf.length < end) return undefined;
  let header: BackupHeader;
  try {
    header = JSON.parse(buf.subarray(MAGIC.length + 4, end).toString('utf8')) as BackupHeader;
  } catch {
    throw new BackupFormatError('backup header is not valid JSON');
  }
  assertHeader(header);
  return { header, bytes: Buffer.from(buf.subarray(0, end)), end };
}

function assertHeader(h: BackupHeader): void {
  const ok =
    h !== null &&
    typeof h === 'object' &&
    h.format === FORMAT &&
    typeof h.backupId === 'string' &&
    typeof h.createdAt === 'string' &&
    (h.dbKind === 'pglite' || h.dbKind === 'postgres') &&
    typeof h.kek?.ref === 'string' &&
    typeof h.kek.kind === 'string' &&
    Number.isInteger(h.kek.version) &&
    typeof h.wrappedKey === 'string' &&
    Number.isInteger(h.chunkBytes) &&
    h.chunkBytes > 0 &&
    h.chunkBytes <= MAX_CHUNK_BYTES &&
    h.compression === 'gzip';
  if (!ok) throw new BackupFormatError(`unsupported backup header (expected format ${FORMAT})`);
}

export function headerDigest(headerBytes: Buffer): Buffer {
  return createHash('sha256').update(headerBytes).digest();
}

/** 96-bit GCM nonce from the frame index (unique per key: every backup has its own data key). */
export function frameNonce(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

export function frameAssociatedData(digest: Buffer, index: number, final: boolean): Buffer {
  const ad = Buffer.alloc(digest.length + 9);
  digest.copy(ad, 0);
  ad.writeBigUInt64BE(BigInt(index), digest.length);
  ad.writeUInt8(final ? FLAG_FINAL : 0, digest.length + 8);
  return ad;
}
