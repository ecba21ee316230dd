// Creating, listing and revoking an organisation's API tokens (Admins: permission tokens.manage). Creating
// needs sudo mode (a re-authentication in the last 10 minutes): a token outlives the session that made it.
// The secret is returned once, at creation; afterwards only its prefix is ever shown.
import crypto from 'node:crypto';
import { appendAudit, type RequestContext } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { can } from '../teams/permissions.js';
import { countActiveTokens, insertApiToken, listApiTokens, revokeApiToken } from './api-tokens-repo.js';
import { formatScopes, MAX_ACTIVE_TOKENS, parseScopes, type ApiScope } from './scopes.js';
import { maskedToken, newApiToken } from './token-format.js';
import type { ApiTokenCreated, ApiTokenView, TokenStatus } from './tokens-schemas.js';

export interface TokenDeps {
  db: Db;
  crypto: FieldCrypto;
  clock: Clock;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const nameCtx = (id: string) => ({ table: 'api_tokens', column: 'name_encrypted', rowId: id });
export const ipCtx = (id: string) => ({ table: 'api_tokens', column: 'last_used_ip_encrypted', rowId: id });

export type { ApiTokenView, TokenStatus };

export function tokenStatus(t: { revokedAt: Date | null; expiresAt: Date; creatorCanManage: boolean }, now: Date): TokenStatus {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (!t.creatorCanManage) return 'suspended';
  return 'active';
}

export async function createApiToken(
  deps: TokenDeps,
  input: { orgId: string; userId: string; name: string; scopes: ApiScope[]; expiresInDays: number; context: RequestContext },
): Promise<ApiTokenCreated> {
  const now = deps.clock();
  const id = crypto.randomUUID();
  const made = newApiToken();
  const expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
  const scopes = formatScopes(input.scopes);
  await withOrg(deps.db, input.orgId, async (tx) => {
    if ((await countActiveTokens(tx, input.orgId, now)) >= MAX_ACTIVE_TOKENS) {
      throw new HttpProblem(409, `an organisation can have at most ${MAX_ACTIVE_TOKENS} active tokens; revoke one first`, { code: 'too_many_tokens' });
    }
    const nameEncrypted = await deps.crypto.encryptField(input.orgId, nameCtx(id), input.name, tx);
    await insertApiToken(tx, { id, orgId: input.orgId, prefix: made.prefix, hash: made.hash, nameEncrypted, scopes, createdBy: input.userId, createdAt: now, expiresAt });
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.userId },
      action: 'api_token.created',
      target: { type: 'api_token', id },
      ...input.context,
      metadata: { prefix: made.prefix, scopes, expiresAt: expiresAt.toISOString() },
      at: now,
    });
  });
  return {
    secret: made.token,
    token: {
      id,
      name: input.name,
      display: maskedToken(made.prefix),
      prefix: made.prefix,
      scopes: parseScopes(scopes),
      createdAt: now.toISOString(),
      createdBy: input.userId,
      expiresAt: expiresAt.toISOString(),
      lastUsedAt: null,
      lastUsedIp: null,
      revokedAt: null,
      status: 'active',
    },
  };
}

export async function listApiTokenViews(deps: TokenDeps, orgId: string): Promise<ApiTokenView[]> {
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    const rows = await listApiTokens(tx, orgId);
    const out: ApiTokenView[] = [];
    for (const r of rows) {
      out.push({
        id: r.id,
        name: await deps.crypto.decryptField(orgId, nameCtx(r.id), r.name_encrypted, tx),
        display: maskedToken(r.prefix),
        prefix: r.prefix,
        scopes: parseScopes(r.scopes),
        createdAt: r.created_at.toISOString(),
        createdBy: r.created_by,
        expiresAt: r.expires_at.toISOString(),
        lastUsedAt: r.last_used_at?.toISOString() ?? null,
        lastUsedIp: r.last_used_ip_encrypted ? await deps.crypto.decryptField(orgId, ipCtx(r.id), r.last_used_ip_encrypted, tx) : null,
        revokedAt: r.revoked_at?.toISOString() ?? null,
        status: tokenStatus({ revokedAt: r.revoked_at, expiresAt: r.expires_at, creatorCanManage: r.creator_role !== null && can(r.creator_role, 'tokens.manage') }, now),
      });
    }
    return out;
  });
}

export async function revokeApiTokenById(deps: TokenDeps, input: { orgId: string; userId: string; tokenId: string; context: RequestContext }): Promise<void> {
  const now = deps.clock();
  await withOrg(deps.db, input.orgId, async (tx) => {
    const revoked = await revokeApiToken(tx, input.orgId, input.tokenId, input.userId, now);
    // Unknown ids and other organisations' tokens look the same (RLS hides the latter).
    if (!revoked) throw new HttpProblem(404, 'no such active token');
    await appendAudit(tx, {
      orgId: input.orgId,
      actor: { type: 'user', id: input.userId },
      action: 'api_token.revoked',
      target: { type: 'api_token', id: input.tokenId },
      ...input.context,
      at: now,
    });
  });
}
