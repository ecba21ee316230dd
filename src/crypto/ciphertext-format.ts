// The stored form of an encrypted field: text, so it fits any `text` column and survives JSON and dumps.
//
//   mw1:<purpose>:<key version>:<base64url(nonce[12] ‖ AES-GCM ciphertext ‖ tag[16])>
//   e.g. mw1:d:3:qL0x…   (d = data, s = stripe, b = backup)
//
// The scope (organisation) is deliberately not in the text: it comes from the row the value is read from
// and is bound through the associated data, so a value copied to another organisation fails to decrypt.
// Purpose and version are in clear so the re-encryption job can find stale values with a SQL LIKE prefix.
// Overhead: about 50 characters per value.
import { NONCE_BYTES, TAG_BYTES } from './aes-gcm.js';
import { MalformedCiphertextError } from './errors.js';
import { CODE_PURPOSE, PURPOSE_CODE, type FieldPurpose } from './key-purpose.js';

export const FORMAT_TAG = 'mw1';
const PATTERN = /^mw1:([dsb]):([1-9][0-9]{0,8}):([A-Za-z0-9_-]+)$/;

export interface FieldCiphertext {
  purpose: FieldPurpose;
  keyVersion: number;
  /** nonce ‖ ciphertext ‖ tag */
  sealed: Buffer;
}

export function formatCiphertext(c: FieldCiphertext): string {
  return `${ciphertextPrefix(c.purpose, c.keyVersion)}${c.sealed.toString('base64url')}`;
}

/** The text every value of this purpose and key version starts with (for SQL `like prefix || '%'`). */
export function ciphertextPrefix(purpose: FieldPurpose, keyVersion: number): string {
  return `${FORMAT_TAG}:${PURPOSE_CODE[purpose]}:${keyVersion}:`;
}

/** The text every value of this purpose starts with, whatever its version. */
export function purposePrefix(purpose: FieldPurpose): string {
  return `${FORMAT_TAG}:${PURPOSE_CODE[purpose]}:`;
}

export function parseCiphertext(text: string): FieldCiphertext {
  const m = PATTERN.exec(text);
  if (!m) throw new MalformedCiphertextError('not a Mowt field ciphertext (expected mw1:<purpose>:<version>:<data>)');
  const sealed = Buffer.from(m[3]!, 'base64url');
  // Buffer.from ignores stray characters; insist on the canonical encoding so one value has one spelling.
  if (sealed.length < NONCE_BYTES + TAG_BYTES || sealed.toString('base64url') !== m[3]) {
    throw new MalformedCiphertextError('field ciphertext is truncated or not canonical base64url');
  }
  return { purpose: CODE_PURPOSE[m[1]!]!, keyVersion: Number(m[2]), sealed };
}

/** True when the text looks like a field ciphertext (cheap check, no decoding). */
export function isCiphertext(text: string): boolean {
  return PATTERN.test(text);
}
