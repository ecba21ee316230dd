// A pass-through that counts and hashes bytes on their way and reports progress: used on both sides of
// compression/encryption, so one pass over the data gives the manifest's sizes and sha256 sums.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class MeasureStream extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }

  /** Hex sha256 of everything that passed; call once, after the stream finished. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}

export interface TransferProgress {
  phase: 'backup' | 'verify' | 'restore';
  bytes: number;
  /** Expected total, when known. */
  total?: number;
  /** Whether total is exact or an estimate (PostgreSQL's on-disk size before pg_dump). */
  exact: boolean;
  elapsedMs: number;
}
