// A reader for one connection: decrypts its token, refreshing an OAuth access token shortly before it
// expires (under a row lock, so concurrent workers do not spend the same refresh token twice).
import { sql } from 'kysely';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { StripeReader } from './client.js';
import { findConnection } from './connections.js';
import { tokenPlace, type StripeDeps } from './stripe-deps.js';

const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export async function openReader(deps: StripeDeps, orgId: string, connectionId: string): Promise<StripeReader> {
  const token = await withOrg(deps.db, orgId, async (tx) => {
    const found = await findConnection(tx, connectionId);
    if (!found || found.status === 'revoked' || !found.token_encrypted) throw new HttpProblem(404, 'Stripe connection not found');
    const now = deps.clock();
    const expiring = found.kind === 'oauth' && found.token_expires_at !== null && found.token_expires_at.getTime() - REFRESH_MARGIN_MS <= now.getTime();
    if (!expiring) return deps.crypto.decryptField(orgId, tokenPlace(connectionId, 'token_encrypted'), found.token_encrypted, tx);
    await sql`select id from stripe_connections where id = ${connectionId} for update`.execute(tx);
    const locked = await findConnection(tx, connectionId);
    if (!locked?.refresh_token_encrypted || !locked.token_encrypted) throw new HttpProblem(409, 'the connection has no refresh token');
    // Another worker may have refreshed while we waited for the lock.
    if (locked.token_expires_at && locked.token_expires_at.getTime() - REFRESH_MARGIN_MS > now.getTime()) {
      return deps.crypto.decryptField(orgId, tokenPlace(connectionId, 'token_encrypted'), locked.token_encrypted, tx);
    }
    if (!deps.oauth) throw new HttpProblem(503, 'Stripe App credentials are not configured');
    const refreshToken = await deps.crypto.decryptField(orgId, tokenPlace(connectionId, 'refresh_token_encrypted'), locked.refresh_token_encrypted, tx);
    const fresh = await deps.oauth.refresh(refreshToken, now);
    await tx.updateTable('stripe_connections').set({
      token_encrypted: await deps.crypto.encryptField(orgId, tokenPlace(connectionId, 'token_encrypted'), fresh.accessToken, tx),
      refresh_token_encrypted: await deps.crypto.encryptField(orgId, tokenPlace(connectionId, 'refresh_token_encrypted'), fresh.refreshToken, tx),
      token_expires_at: fresh.expiresAt,
      updated_at: now,
    }).where('id', '=', connectionId).execute();
    return fresh.accessToken;
  });
  return deps.readerFor(token, connectionId);
}
