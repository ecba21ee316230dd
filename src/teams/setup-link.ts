// The one-time setup link `npm start` prints while no user exists: a 256-bit token (only its SHA-256 is
// stored), valid 24 hours, usable once. Printing a new link invalidates any earlier unused one. Completing
// setup creates the first organisation and its Admin exactly like `mowt create-admin`, and only while
// there is still no user (concurrent attempts serialise on an advisory lock).
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withoutOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { createOrganisation } from './create-organisation.js';
import type { TeamsDeps } from './teams-deps.js';

export const SETUP_TTL_MS = 24 * 60 * 60 * 1000;
export const SETUP_UNUSABLE = 'this setup link is invalid, was already used, or has expired';

function hashSetupToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

async function anyUserExists(tx: Tx): Promise<boolean> {
  const row = await tx.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Called by the start code: a fresh setup link when no user exists yet, otherwise null. */
export async function issueSetupLink(deps: { db: Db; clock: Clock; baseUrl: string }): Promise<string | null> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock();
  const issued = await withoutOrg(deps.db, async (tx) => {
    if (await anyUserExists(tx)) return false;
    await tx.updateTable('setup_tokens').set({ expires_at: now }).where('used_at', 'is', null).where('expires_at', '>', now).execute();
    await tx
      .insertInto('setup_tokens')
      .values({ token_hash: hashSetupToken(token), created_at: now, expires_at: new Date(now.getTime() + SETUP_TTL_MS) })
      .execute();
    return true;
  });
  return issued ? `${deps.baseUrl}/setup#token=${token}` : null;
}

export interface CompleteSetupInput {
  token: string;
  email: string;
  password: string;
  orgName: string;
  name?: string;
  context?: { ip?: string | null; userAgent?: string | null };
}

export async function completeSetup(
  deps: Pick<TeamsDeps, 'db' | 'clock' | 'crypto' | 'createUser'>,
  input: CompleteSetupInput,
): Promise<{ orgId: string; userId: string }> {
  const now = deps.clock();
  const name = input.name?.trim() || input.email.trim().split('@')[0] || 'Admin';
  const { orgId, adminId } = await createOrganisation(deps, {
    name: input.orgName,
    via: 'setup-link',
    context: input.context,
    actor: (adminId) => ({ type: 'user', id: adminId }),
    admin: async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext('mowt.setup'))`.execute(tx);
      const used = await tx
        .updateTable('setup_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', hashSetupToken(input.token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('id')
        .executeTakeFirst();
      if (!used) throw new HttpProblem(400, SETUP_UNUSABLE);
      if (await anyUserExists(tx)) throw new HttpProblem(409, 'Mowt is already set up: sign in instead');
      return deps.createUser({ email: input.email, name, password: input.password, orgName: input.orgName }, tx);
    },
  });
  await appendAudit(deps.db, {
    orgId: null,
    actor: { type: 'user', id: adminId },
    action: 'setup.completed',
    target: { type: 'organisation', id: orgId },
    ip: input.context?.ip,
    userAgent: input.context?.userAgent,
    at: now,
  });
  return { orgId, userId: adminId };
}
