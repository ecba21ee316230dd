// What authentication needs from the encryption service (src/crypto's FieldCrypto satisfies it as is):
// system-scope field encryption (users belong to no single organisation) bound to table/column/row, and the
// system blind index for looking an address up without decrypting. Pass the open transaction as `tx` when
// there is one, so key look-ups use the same connection.
import type { Tx } from '../db/tenant.js';

export interface FieldLocation {
  table: string;
  column: string;
  rowId: string;
}

export interface FieldCrypto {
  encryptSystemField(ctx: FieldLocation, plaintext: string, tx?: Tx): Promise<string>;
  decryptSystemField(ctx: FieldLocation, ciphertext: string, tx?: Tx): Promise<string>;
  blindIndex(orgId: string | null, kind: 'email', value: string, tx?: Tx): Promise<string>;
}

export const emailField = (userId: string): FieldLocation => ({ table: 'users', column: 'email_encrypted', rowId: userId });
export const totpSecretField = (userId: string): FieldLocation => ({ table: 'user_totp', column: 'secret_encrypted', rowId: userId });

/** Addresses compare case-insensitively and without surrounding spaces. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}
