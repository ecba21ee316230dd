// Checks a presented API token for one request: well-formed, known, secret matches (constant time), not
// revoked, not expired, its creator still an Admin of the organisation (tokens end with their maker's
// rights, like sessions do on a role change), and holding the route's scope. Looked up on every request, so
// revocation takes effect at once. Refusals of a known token are audited in its organisation's log.
import { appendAudit } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import { findMembership } from '../teams/memberships.js';
import { can } from '../teams/permissions.js';
import { findApiToken, lookupPrefix, touchApiToken } from './api-tokens-repo.js';
import { ipCtx, tokenStatus, type TokenDeps } from './manage-tokens.js';
import { parseScopes, type ApiScope } from './scopes.js';
import { tokenMatches, tokenPrefix } from './token-format.js';

export interface ApiTokenAuth {
  id: string;
  orgId: string;
  prefix: string;
  scopes: ApiScope[];
}

/** Why a token was refused; `status` 401 (no usable token) or 403 (valid token, scope missing). */
export class TokenRefused extends Error {
  override name = 'TokenRefused';
  constructor(
    readonly status: 401 | 403,
    readonly reason: 'malformed' | 'unknown' | 'wrong-secret' | 'revoked' | 'expired' | 'suspended' | 'insufficient-scope',
    message: string,
  ) {
    super(message);
  }
}

/** last_used_at moves at most once a minute: a busy integration does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

async function auditRefusal(db: Db, at: Date, t: { orgId: string; id: string }, reason: TokenRefused['reason'], ip: string, userAgent: string | null, scope: string): Promise<void> {
  await appendAudit(db, {
    orgId: t.orgId,
    actor: { type: 'token', id: t.id },
    action: 'api_token.refused',
    target: { type: 'api_token', id: t.id },
    result: 'denied',
    ip,
    userAgent,
    metadata: { reason, scope },
    at,
  });
}

export async function authenticateApiToken(
  deps: TokenDeps,
  presented: string,
  need: { scope: string; ip: string; userAgent: string | null },
): Promise<ApiTokenAuth> {
  const prefix = tokenPrefix(presented);
  if (!prefix) throw new TokenRefused(401, 'malformed', 'the API token is malformed');
  const entry = await withoutOrg(deps.db, (tx) => lookupPrefix(tx, prefix));
  if (!entry) throw new TokenRefused(401, 'unknown', 'the API token is not valid');
  const now = deps.clock();
  const verdict = await withOrg(deps.db, entry.orgId, async (tx) => {
    const row = await findApiToken(tx, entry.orgId, entry.tokenId);
    if (!row) return { refused: 'unknown' as const };
    if (!tokenMatches(presented, row.secret_hash)) return { refused: 'wrong-secret' as const };
    const creator = await findMembership(tx, entry.orgId, row.created_by);
    const status = tokenStatus({ revokedAt: row.revoked_at, expiresAt: row.expires_at, creatorCanManage: creator !== null && can(creator.role, 'tokens.manage') }, now);
    if (status !== 'active') return { refused: status };
    const scopes = parseScopes(row.scopes);
    if (!(scopes as string[]).includes(need.scope)) return { refused: 'insufficient-scope' as const };
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= TOUCH_EVERY_MS) {
      await touchApiToken(tx, entry.orgId, row.id, now, await deps.crypto.encryptField(entry.orgId, ipCtx(row.id), need.ip, tx));
    }
    return { token: { id: row.id, orgId: entry.orgId, prefix, scopes } };
  });
  if (verdict.token) return verdict.token;
  const reason = verdict.refused ?? 'unknown';
  if (reason !== 'unknown') await auditRefusal(deps.db, now, { orgId: entry.orgId, id: entry.tokenId }, reason, need.ip, need.userAgent, need.scope);
  if (reason === 'insufficient-scope') throw new TokenRefused(403, reason, `this token lacks the ${need.scope} scope`);
  const words: Record<string, string> = { revoked: 'has been revoked', expired: 'has expired', suspended: 'was created by someone who is no longer an Admin here' };
  throw new TokenRefused(401, reason, `the API token ${words[reason] ?? 'is not valid'}`);
}
