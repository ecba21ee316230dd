// Creates an organisation with its first Admin, atomically: the organisation row, its encryption keys, the
// Admin's membership and the first audit entry of its chain commit together or not at all.
import crypto from 'node:crypto';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { withOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { insertMembership } from './memberships.js';
import { cleanOrgName } from './organisations.js';
import type { TeamsDeps } from './teams-deps.js';

export interface CreateOrganisationInput {
  name: string;
  /** Creates the Admin inside the same transaction and returns their id (e.g. createUser). */
  admin: (tx: Tx) => Promise<{ id: string }>;
  actor: (adminId: string) => AuditActor;
  context?: { ip?: string | null; userAgent?: string | null };
  via: 'create-admin' | 'setup-link' | 'signed-in-user' | 'signup';
  /** More work in the same transaction once the organisation exists (sign-up: the trial and its record). */
  then?: (tx: Tx, ids: { orgId: string; adminId: string }) => Promise<void>;
}

export async function createOrganisation(
  deps: Pick<TeamsDeps, 'db' | 'clock' | 'crypto'>,
  input: CreateOrganisationInput,
): Promise<{ orgId: string; adminId: string }> {
  const name = cleanOrgName(input.name);
  if (!name) throw new HttpProblem(422, 'organisation name must be 1 to 200 printable characters');
  const orgId = crypto.randomUUID();
  const now = deps.clock();
  return withOrg(deps.db, orgId, async (tx) => {
    const admin = await input.admin(tx);
    await tx.insertInto('organisations').values({ id: orgId, name }).execute();
    await deps.crypto.createOrgKey(orgId, tx);
    await insertMembership(tx, { orgId, userId: admin.id, role: 'admin', at: now });
    await appendAudit(tx, {
      orgId,
      actor: input.actor(admin.id),
      action: 'org.created',
      target: { type: 'organisation', id: orgId },
      ip: input.context?.ip,
      userAgent: input.context?.userAgent,
      metadata: { via: input.via, adminUserId: admin.id },
      at: now,
    });
    await input.then?.(tx, { orgId, adminId: admin.id });
    return { orgId, adminId: admin.id };
  });
}
