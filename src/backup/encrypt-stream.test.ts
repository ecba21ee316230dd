// The frame format on its own: round trip at chunk boundaries, and every way of breaking a file fails.
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BackupFormatError, BackupIntegrityError, FORMAT, FRAME_HEAD_BYTES, TAG_BYTES, type BackupHeader } from './backup-format.js';
import { DecryptStream, EncryptStream } from './encrypt-stream.js';

const header = (chunkBytes: number): BackupHeader => ({
  format: FORMAT,
  backupId: 'mowt-test',
  createdAt: '2026-11-25T00:00:00.000Z',
  dbKind: 'pglite',
  kek: { kind: 'keyring', ref: 'system.backup.v1', version: 1 },
  wrappedKey: 'AAAA',
  chunkBytes,
  compression: 'gzip',
});

async function collect(stream: NodeJS.ReadableStream, input: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(input), stream as unknown as NodeJS.ReadWriteStream, sink);
  return Buffer.concat(out);
}

const encrypt = (key: Buffer, data: Buffer, chunk = 64, pieces = 7) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieces) parts.push(data.subarray(i, i + pieces));
  return collect(new EncryptStream(key, header(chunk)), parts);
};
const decrypt = (key: Buffer, file: Buffer) => collect(new DecryptStream(key), [file]);

/** Offsets of each frame in a file made with chunk size `chunk`. */
function frames(file: Buffer): { at: number; len: number }[] {
  let at = 8 + 4 + file.readUInt32BE(8);
  const out = [];
  while (at < file.length) {
    const len = FRAME_HEAD_BYTES + file.readUInt32BE(at + 1) + TAG_BYTES;
    out.push({ at, len });
    at += len;
  }
  return out;
}

describe('encrypted backup frames', () => {
  const key = randomBytes(32);

  it.each([0, 1, 63, 64, 65, 640, 1000])('round-trips %i bytes', async (n) => {
    const data = randomBytes(n);
    const file = await encrypt(key, data);
    expect(await decrypt(key, file)).toEqual(data);
    expect(file.includes(data.subarray(0, Math.min(16, n))) && n >= 16).toBe(false);
  });

  it('marks only the last frame final, and always writes one', async () => {
    const file = await encrypt(key, randomBytes(128));
    const f = frames(file);
    expect(f.length).toBe(2);
    expect(f.map((x) => file.readUInt8(x.at))).toEqual([0, 1]);
  });

  it('refuses a wrong key', async () => {
    const file = await encrypt(key, randomBytes(300));
    await expect(decrypt(randomBytes(32), file)).rejects.toBeInstanceOf(BackupIntegrityError);
  });

  it('refuses a flipped bit anywhere in the frames or the header', async () => {
    const file = await encrypt(key, randomBytes(300));
    for (const at of [20, frames(file)[0]!.at + 10, file.length - 1]) {
      const bad = Buffer.from(file);
      bad[at] = bad[at]! ^ 1;
      await expect(decrypt(key, bad)).rejects.toThrow();
    }
  });

  it('refuses a file cut after a whole frame, or mid-frame, or inside the header', async () => {
    const file = await encrypt(key, randomBytes(300));
    const f = frames(file);
    await expect(decrypt(key, file.subarray(0, f[2]!.at))).rejects.toThrow(/truncated/);
    await expect(decrypt(key, file.subarray(0, file.length - 3))).rejects.toThrow(/truncated/);
    await expect(decrypt(key, file.subarray(0, 10))).rejects.toBeInstanceOf(BackupFormatError);
  });

  it('refuses reordered, dropped or duplicated frames and trailing bytes', async () => {
    const file = await encrypt(key, randomBytes(300));
    const f = frames(file);
    const head = file.subarray(0, f[0]!.at);
    const frame = (i: number) => file.subarray(f[i]!.at, f[i]!.at + f[i]!.len);
    const rest = f.slice(2).map((_, i) => frame(i + 2));
    await expect(decrypt(key, Buffer.concat([head, frame(1), frame(0), ...rest]))).rejects.toBeInstanceOf(BackupIntegrityError);
    await expect(decrypt(key, Buffer.concat([head, frame(0), ...rest]))).rejects.toBeInstanceOf(BackupIntegrityError);
    await expect(decrypt(key, Buffer.concat([head, frame(0), frame(0), frame(1), ...rest]))).rejects.toBeInstanceOf(BackupIntegrityError);
    await expect(decrypt(key, Buffer.concat([file, frame(0)]))).rejects.toThrow(/after its final frame/);
  });

  it('refuses a file that is not a backup', async () => {
    await expect(decrypt(key, Buffer.from('PGDMP not a mowt backup'))).rejects.toBeInstanceOf(BackupFormatError);
  });
});
