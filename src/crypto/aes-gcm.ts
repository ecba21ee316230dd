// AES-256-GCM sealing with a fresh random 96-bit nonce per call. 2^32 random nonces per key keeps the
// collision risk under NIST's 2^-32 bound; data keys rotate every 90 days, far below that volume.
import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';
import { DecryptionError } from './errors.js';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

// Nonces are cut from a block of CSPRNG output filled 4,096 nonces at a time: the same random bytes as one
// call per nonce, without a trip into OpenSSL per value (a backfill seals hundreds of thousands of fields).
// Each nonce is used once: the block is refilled before any byte of it is handed out again.
const NONCES_PER_BLOCK = 4096;
const nonceBlock = Buffer.alloc(NONCE_BYTES * NONCES_PER_BLOCK);
let nextNonce = NONCES_PER_BLOCK;

function writeNonce(into: Buffer): void {
  if (nextNonce === NONCES_PER_BLOCK) {
    randomFillSync(nonceBlock);
    nextNonce = 0;
  }
  const start = nextNonce++ * NONCE_BYTES;
  nonceBlock.copy(into, 0, start, start + NONCE_BYTES);
  nonceBlock.fill(0, start, start + NONCE_BYTES);
}

/** Returns nonce ‖ ciphertext ‖ tag. */
export function seal(key: KeyObject | Buffer, plaintext: Buffer, associatedData: Buffer): Buffer {
  const out = Buffer.allocUnsafe(NONCE_BYTES + plaintext.length + TAG_BYTES);
  writeNonce(out);
  const cipher = createCipheriv('aes-256-gcm', key, out.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData);
  // GCM is a stream mode: update() returns exactly as many bytes as it is given, final() none.
  let at = NONCE_BYTES + cipher.update(plaintext).copy(out, NONCE_BYTES);
  at += cipher.final().copy(out, at);
  if (at !== NONCE_BYTES + plaintext.length) throw new Error('AES-GCM produced an unexpected ciphertext length');
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** Opens nonce ‖ ciphertext ‖ tag; any tampering with the bytes or the associated data throws DecryptionError. */
export function open(key: KeyObject | Buffer, sealed: Buffer, associatedData: Buffer): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext is too short');
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError(
      'ciphertext failed authentication: it was altered, or belongs to another organisation, table, column or row',
    );
  }
}
