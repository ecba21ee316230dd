// api_tokens / api_token_directory repository: plain functions over transactions from withOrg / withoutOrg.
import type { Tx } from '../db/tenant.js';
import type { ApiTokenRow } from './api-tokens.table.js';

export async function insertApiToken(
  tx: Tx,
  t: { id: string; orgId: string; prefix: string; hash: string; nameEncrypted: string; scopes: string; createdBy: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await tx
    .insertInto('api_tokens')
    .values({
      id: t.id,
      org_id: t.orgId,
      prefix: t.prefix,
      secret_hash: t.hash,
      name_encrypted: t.nameEncrypted,
      scopes: t.scopes,
      created_by: t.createdBy,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
    })
    .execute();
  await tx.insertInto('api_token_directory').values({ prefix: t.prefix, token_id: t.id, org_id: t.orgId }).execute();
}

/** Which organisation a prefix belongs to (no organisation is set yet when a bearer token arrives). */
export async function lookupPrefix(tx: Tx, prefix: string): Promise<{ tokenId: string; orgId: string } | null> {
  const row = await tx.selectFrom('api_token_directory').select(['token_id', 'org_id']).where('prefix', '=', prefix).executeTakeFirst();
  return row ? { tokenId: row.token_id, orgId: row.org_id } : null;
}

export async function findApiToken(tx: Tx, orgId: string, tokenId: string): Promise<ApiTokenRow | null> {
  return (await tx.selectFrom('api_tokens').selectAll().where('org_id', '=', orgId).where('id', '=', tokenId).executeTakeFirst()) ?? null;
}

export interface ListedTokenRow extends ApiTokenRow {
  creator_role: string | null;
}

export async function listApiTokens(tx: Tx, orgId: string): Promise<ListedTokenRow[]> {
  return tx
    .selectFrom('api_tokens')
    .leftJoin('memberships', (j) => j.onRef('memberships.user_id', '=', 'api_tokens.created_by').onRef('memberships.org_id', '=', 'api_tokens.org_id'))
    .selectAll('api_tokens')
    .select('memberships.role as creator_role')
    .where('api_tokens.org_id', '=', orgId)
    .orderBy('api_tokens.created_at', 'desc')
    .execute();
}

export async function countActiveTokens(tx: Tx, orgId: string, now: Date): Promise<number> {
  const row = await tx
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Marks a token revoked; false when it was already revoked (or does not exist in this organisation). */
export async function revokeApiToken(tx: Tx, orgId: string, tokenId: string, by: string, at: Date): Promise<boolean> {
  const res = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: at, revoked_by: by })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function touchApiToken(tx: Tx, orgId: string, tokenId: string, at: Date, ipEncrypted: string): Promise<void> {
  await tx.updateTable('api_tokens').set({ last_used_at: at, last_used_ip_encrypted: ipEncrypted }).where('org_id', '=', orgId).where('id', '=', tokenId).execute();
}
