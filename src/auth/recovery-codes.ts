// Recovery codes: 10 per user, 80 random bits each (16 base32 characters shown as xxxx-xxxx-xxxx-xxxx).
// With that much entropy a plain SHA-256 cannot be reversed by guessing, so a slow hash is not needed and a
// sign-in with a code costs one indexed lookup.
import crypto from 'node:crypto';
import type { Tx } from '../db/tenant.js';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function newRecoveryCode(): string {
  const bytes = crypto.randomBytes(16);
  let s = '';
  for (let i = 0; i < 16; i++) s += ALPHABET[(bytes[i] ?? 0) & 31];
  return s.match(/.{4}/g)!.join('-');
}

export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z2-7]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return crypto.createHash('sha256').update(normaliseRecoveryCode(code), 'utf8').digest('hex');
}

/** Replaces the user's codes with fresh ones; returns them in clear (shown once, never stored). */
export async function issueRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ user_id: userId, code_hash: hashRecoveryCode(c) })))
    .execute();
  return codes;
}

/** Marks a matching unused code as used; false when there is none. Single statement: no double spend. */
export async function consumeRecoveryCode(tx: Tx, userId: string, code: string, now: Date): Promise<boolean> {
  const res = await tx
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashRecoveryCode(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
