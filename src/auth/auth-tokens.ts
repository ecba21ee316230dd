// Mailed single-use tokens (email verification, password reset): 256 random bits, 30 minutes, only the
// SHA-256 stored. Spending is one conditional UPDATE, so a token cannot be used twice even concurrently.
import type { Tx } from '../db/tenant.js';
import type { AuthTokenPurpose } from './auth-tokens.table.js';
import { hashToken, newToken } from './tokens.js';

export const AUTH_TOKEN_TTL_MS = 30 * 60 * 1000;

export async function issueAuthToken(tx: Tx, userId: string, purpose: AuthTokenPurpose, now: Date): Promise<string> {
  const token = newToken();
  // A new link replaces older unused ones of the same kind.
  await tx.deleteFrom('auth_tokens').where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
  await tx
    .insertInto('auth_tokens')
    .values({
      user_id: userId,
      purpose,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: new Date(now.getTime() + AUTH_TOKEN_TTL_MS),
    })
    .execute();
  return token;
}

/** The user a live (unused, unexpired) token belongs to, without spending it. */
export async function peekAuthToken(tx: Tx, token: string, purpose: AuthTokenPurpose, now: Date): Promise<string | null> {
  const row = await tx
    .selectFrom('auth_tokens')
    .select('user_id')
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.user_id ?? null;
}

/** Spends a live token; returns its user, or null when it is unknown, used or expired. */
export async function consumeAuthToken(tx: Tx, token: string, purpose: AuthTokenPurpose, now: Date): Promise<string | null> {
  const row = await tx
    .updateTable('auth_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id ?? null;
}

/** Voids every unused mailed link of a user (e.g. links sent to an address the account no longer has). */
export async function revokeAuthTokens(tx: Tx, userId: string): Promise<void> {
  await tx.deleteFrom('auth_tokens').where('user_id', '=', userId).where('used_at', 'is', null).execute();
}

/** Builds a link from the configured public origin (never from a request's Host header). */
export function appLink(baseUrl: string, path: string, token: string): string {
  const url = new URL(path, baseUrl);
  // In the fragment, the token never reaches server logs or a Referer header.
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}
