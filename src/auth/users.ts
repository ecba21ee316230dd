// User and password-hash repository functions. Callers pass a transaction (normally from withoutOrg:
// users are not tenant data).
import type { Tx } from '../db/tenant.js';
import { emailField, normaliseEmail, type FieldCrypto } from './field-crypto.js';

export interface UserRecord {
  id: string;
  name: string;
  emailVerifiedAt: Date | null;
}

export async function emailIndexOf(crypto: FieldCrypto, email: string, tx?: Tx): Promise<string> {
  return crypto.blindIndex(null, 'email', normaliseEmail(email), tx);
}

export async function findUserByEmailIndex(tx: Tx, emailIndex: string): Promise<UserRecord | null> {
  const row = await tx.selectFrom('users').select(['id', 'name', 'email_verified_at']).where('email_index', '=', emailIndex).executeTakeFirst();
  return row ? { id: row.id, name: row.name, emailVerifiedAt: row.email_verified_at } : null;
}

/**
 * What signing in needs about an address, in one statement whether or not it has an account (an extra round
 * trip for real accounts only would let a caller time which addresses exist).
 */
export async function findLoginRecord(tx: Tx, emailIndex: string): Promise<{ user: UserRecord; hash: string | null; totpConfirmed: boolean } | null> {
  const row = await tx
    .selectFrom('users as u')
    .leftJoin('user_passwords as p', 'p.user_id', 'u.id')
    .leftJoin('user_totp as t', 't.user_id', 'u.id')
    .select(['u.id', 'u.name', 'u.email_verified_at', 'p.hash', 't.confirmed_at'])
    .where('u.email_index', '=', emailIndex)
    .executeTakeFirst();
  if (!row) return null;
  return { user: { id: row.id, name: row.name, emailVerifiedAt: row.email_verified_at }, hash: row.hash, totpConfirmed: row.confirmed_at !== null };
}

export async function findUserById(tx: Tx, id: string): Promise<(UserRecord & { emailEncrypted: string }) | null> {
  const row = await tx
    .selectFrom('users')
    .select(['id', 'name', 'email_verified_at', 'email_encrypted'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, emailVerifiedAt: row.email_verified_at, emailEncrypted: row.email_encrypted } : null;
}

export async function userEmail(tx: Tx, crypto: FieldCrypto, userId: string): Promise<string> {
  const row = await tx.selectFrom('users').select('email_encrypted').where('id', '=', userId).executeTakeFirstOrThrow();
  return crypto.decryptSystemField(emailField(userId), row.email_encrypted, tx);
}

export async function passwordHashOf(tx: Tx, userId: string): Promise<string | null> {
  const row = await tx.selectFrom('user_passwords').select('hash').where('user_id', '=', userId).executeTakeFirst();
  return row?.hash ?? null;
}

export async function setPasswordHash(tx: Tx, userId: string, hash: string, now: Date): Promise<void> {
  await tx
    .insertInto('user_passwords')
    .values({ user_id: userId, hash, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ hash, updated_at: now }))
    .execute();
}

/** The stored (encrypted) address as is: email-change tokens are bound to it. */
export async function emailCiphertextOf(tx: Tx, userId: string): Promise<string | null> {
  const row = await tx.selectFrom('users').select('email_encrypted').where('id', '=', userId).executeTakeFirst();
  return row?.email_encrypted ?? null;
}

/**
 * Switches the address (ciphertext and blind index together, and marks it verified) only if the stored
 * ciphertext is still `expected`: a compare-and-set, so a change can happen once per confirmation.
 */
export async function replaceUserEmail(
  tx: Tx,
  change: { userId: string; expected: string; emailEncrypted: string; emailIndex: string; now: Date },
): Promise<boolean> {
  const row = await tx
    .updateTable('users')
    .set({ email_encrypted: change.emailEncrypted, email_index: change.emailIndex, email_verified_at: change.now })
    .where('id', '=', change.userId)
    .where('email_encrypted', '=', change.expected)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
