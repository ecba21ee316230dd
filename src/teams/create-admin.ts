// `mowt create-admin`: the first organisation and its Admin, created by an operator on the server. The
// password goes through the same policy as every other (auth's createUser); the Admin must still enrol 2FA
// at first sign-in. The operator action is also recorded on the system chain.
import { appendAudit } from '../audit/index.js';
import { createOrganisation } from './create-organisation.js';
import type { TeamsDeps } from './teams-deps.js';

export interface CreateAdminInput {
  email: string;
  orgName: string;
  password: string;
  /** Display name; defaults to the address's local part. */
  name?: string;
}

export async function createAdmin(
  deps: Pick<TeamsDeps, 'db' | 'clock' | 'crypto' | 'createUser'>,
  input: CreateAdminInput,
): Promise<{ orgId: string; userId: string }> {
  const name = input.name?.trim() || input.email.trim().split('@')[0] || 'Admin';
  const { orgId, adminId } = await createOrganisation(deps, {
    name: input.orgName,
    admin: (tx) => deps.createUser({ email: input.email, name, password: input.password, orgName: input.orgName }, tx),
    actor: () => ({ type: 'system', id: 'operator' }),
    via: 'create-admin',
  });
  await appendAudit(deps.db, {
    orgId: null,
    actor: { type: 'system', id: 'operator' },
    action: 'operator.create_admin',
    target: { type: 'organisation', id: orgId },
    metadata: { adminUserId: adminId },
    at: deps.clock(),
  });
  return { orgId, userId: adminId };
}
