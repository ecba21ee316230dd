// Streaming AES-256-GCM in the mowt-backup-1 frame format (see backup-format.ts). Memory use is one chunk,
// whatever the size of the database. Decryption releases a frame's plaintext only after its tag verified;
// a caller that must not write anything from a bad file verifies the whole file first (restore.ts).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
  BackupFormatError,
  BackupIntegrityError,
  DEFAULT_CHUNK_BYTES,
  FLAG_FINAL,
  FRAME_HEAD_BYTES,
  TAG_BYTES,
  decodeHeader,
  encodeHeader,
  frameAssociatedData,
  frameNonce,
  headerDigest,
  type BackupHeader,
} from './backup-format.js';

function sealFrame(key: Buffer, digest: Buffer, index: number, final: boolean, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, frameNonce(index), { authTagLength: TAG_BYTES });
  cipher.setAAD(frameAssociatedData(digest, index, final));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const head = Buffer.alloc(FRAME_HEAD_BYTES);
  head.writeUInt8(final ? FLAG_FINAL : 0, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body, cipher.getAuthTag()]);
}

/** Writes the header, then the input in sealed frames of header.chunkBytes; the last frame is marked final. */
export class EncryptStream extends Transform {
  private readonly digest: Buffer;
  private readonly chunkBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private started = false;
  private readonly headerBytes: Buffer;

  constructor(
    private readonly key: Buffer,
    header: BackupHeader,
  ) {
    super();
    if (key.length !== 32) throw new TypeError('a backup data key is 32 bytes');
    this.headerBytes = encodeHeader(header);
    this.digest = headerDigest(this.headerBytes);
    this.chunkBytes = header.chunkBytes || DEFAULT_CHUNK_BYTES;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.push(this.headerBytes);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.start();
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Keep at least one byte back: the final frame must carry the end, and we do not know yet where it is.
    if (this.pendingBytes > this.chunkBytes) {
      const all = Buffer.concat(this.pending);
      let at = 0;
      while (all.length - at > this.chunkBytes) {
        this.push(sealFrame(this.key, this.digest, this.index++, false, all.subarray(at, at + this.chunkBytes)));
        at += this.chunkBytes;
      }
      this.pending = [all.subarray(at)];
      this.pendingBytes = all.length - at;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.start();
    this.push(sealFrame(this.key, this.digest, this.index++, true, Buffer.concat(this.pending)));
    this.pending = [];
    done();
  }
}

/**
 * Parses the header (checked against `expected`'s bytes when given, so a file cannot swap in another
 * header) and opens frames in order. Ends with BackupIntegrityError when the file is cut short (no final
 * frame), has bytes after the final frame, or any frame fails authentication.
 */
export class DecryptStream extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private digest?: Buffer;
  private index = 0;
  private finished = false;
  private maxChunk = 0;

  constructor(private readonly key: Buffer) {
    super();
    if (key.length !== 32) throw new TypeError('a backup data key is 32 bytes');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.drain();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private drain(): void {
    if (!this.digest) {
      const parsed = decodeHeader(this.buf);
      if (!parsed) return;
      this.digest = headerDigest(parsed.bytes);
      this.maxChunk = parsed.header.chunkBytes;
      this.buf = this.buf.subarray(parsed.end);
    }
    while (this.buf.length > 0) {
      if (this.finished) throw new BackupIntegrityError('the backup has data after its final frame (altered)');
      if (this.buf.length < FRAME_HEAD_BYTES) return;
      const flags = this.buf.readUInt8(0);
      const len = this.buf.readUInt32BE(1);
      if ((flags & ~FLAG_FINAL) !== 0 || len > this.maxChunk) {
        throw new BackupIntegrityError(`frame ${this.index} has an invalid header (the backup was altered or is corrupt)`);
      }
      const total = FRAME_HEAD_BYTES + len + TAG_BYTES;
      if (this.buf.length < total) return;
      const final = flags === FLAG_FINAL;
      const body = this.buf.subarray(FRAME_HEAD_BYTES, FRAME_HEAD_BYTES + len);
      const tag = this.buf.subarray(FRAME_HEAD_BYTES + len, total);
      const decipher = createDecipheriv('aes-256-gcm', this.key, frameNonce(this.index), { authTagLength: TAG_BYTES });
      decipher.setAAD(frameAssociatedData(this.digest, this.index, final));
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw new BackupIntegrityError(
          `frame ${this.index} failed authentication: the backup was altered, or it is not encrypted with this key`,
        );
      }
      this.index += 1;
      this.finished = final;
      this.buf = this.buf.subarray(total);
      if (plain.length > 0) this.push(plain);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.digest) return done(new BackupFormatError('the backup file ends inside its header (truncated)'));
    if (!this.finished) return done(new BackupIntegrityError(`the backup is truncated: it ends after frame ${this.index} without its final frame`));
    done();
  }
}
