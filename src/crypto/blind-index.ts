// Blind indexes: a keyed HMAC-SHA256 of a normalised value, stored beside the ciphertext so equality
// lookups (login by email, customer by email) work without decrypting. Keyed per scope, so the same email
// in two organisations gives unrelated indexes, and under a key that never encrypts anything.
import { createHmac, type KeyObject } from 'node:crypto';

export const BLIND_INDEX_KINDS = ['email', 'phone', 'name', 'exact'] as const;
export type BlindIndexKind = (typeof BLIND_INDEX_KINDS)[number];

/** The canonical form two values must share to match. */
export function normaliseForIndex(kind: BlindIndexKind, value: string): string {
  const nfc = value.normalize('NFC');
  switch (kind) {
    case 'email':
      return nfc.trim().toLowerCase();
    case 'phone':
      // Keep a leading + and digits: "+44 (0)20 7946-0018" and "+4420 79460018" differ only by the (0).
      return nfc.trim().replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
    case 'name':
      return nfc.trim().replace(/\s+/g, ' ').toLowerCase();
    case 'exact':
      return nfc;
  }
}

/** base64url HMAC-SHA256 (43 characters). The kind is mixed in so an email and a name never collide. */
export function computeBlindIndex(key: KeyObject | Buffer, kind: BlindIndexKind, value: string): string {
  return createHmac('sha256', key).update(`mowt-bidx-v1\0${kind}\0`).update(normaliseForIndex(kind, value)).digest('base64url');
}
