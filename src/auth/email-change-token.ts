// Email-change confirmation tokens. The pending address has to travel with the token, and auth_tokens has
// no place for it, so the token is sealed rather than stored: the new address, an expiry 30 minutes out
// and the SHA-256 of the account's current address ciphertext, encrypted and authenticated under the
// system data key and bound to the user. Nothing is kept server-side, so a database leak yields no live
// token. Single use: confirming re-encrypts the address (fresh IV), so the stored ciphertext no longer
// matches the binding and every outstanding token of that user dies; the switch itself is a
// compare-and-set on that ciphertext (users.replaceUserEmail), so two concurrent confirmations cannot both
// succeed.
import type { Tx } from '../db/tenant.js';
import { AUTH_TOKEN_TTL_MS } from './auth-tokens.js';
import type { FieldCrypto, FieldLocation } from './field-crypto.js';
import { hashToken } from './tokens.js';

export const EMAIL_CHANGE_TTL_MS = AUTH_TOKEN_TTL_MS;
/** Long enough for a sealed 254-character address; the route schema bounds what is read. */
export const EMAIL_CHANGE_TOKEN_MAX = 2000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sealLocation = (userId: string): FieldLocation => ({ table: 'users', column: 'email_change_token', rowId: userId });

export interface OpenedEmailChange {
  userId: string;
  newEmail: string;
  /** SHA-256 of the address ciphertext the token was issued against. */
  binding: string;
}

export function bindingOf(emailCiphertext: string): string {
  return hashToken(emailCiphertext);
}

export async function sealEmailChange(
  crypto: FieldCrypto,
  tx: Tx,
  change: { userId: string; newEmail: string; currentCiphertext: string; now: Date },
): Promise<string> {
  const payload = JSON.stringify({ e: change.newEmail, x: change.now.getTime() + EMAIL_CHANGE_TTL_MS, b: bindingOf(change.currentCiphertext) });
  const sealed = await crypto.encryptSystemField(sealLocation(change.userId), payload, tx);
  return `${change.userId}.${Buffer.from(sealed, 'utf8').toString('base64url')}`;
}

/** The change a token asks for, or null when it is malformed, forged, tampered with or expired. */
export async function openEmailChange(crypto: FieldCrypto, tx: Tx, token: string, now: Date): Promise<OpenedEmailChange | null> {
  const dot = token.indexOf('.');
  const userId = token.slice(0, dot);
  if (dot < 0 || !UUID.test(userId)) return null;
  let payload: unknown;
  try {
    const sealed = Buffer.from(token.slice(dot + 1), 'base64url').toString('utf8');
    payload = JSON.parse(await crypto.decryptSystemField(sealLocation(userId), sealed, tx));
  } catch {
    return null;
  }
  const p = payload as { e?: unknown; x?: unknown; b?: unknown } | null;
  if (typeof p?.e !== 'string' || typeof p.x !== 'number' || typeof p.b !== 'string') return null;
  if (p.x <= now.getTime()) return null;
  return { userId, newEmail: p.e, binding: p.b };
}
