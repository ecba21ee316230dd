// Members of an organisation with their role; addresses decrypted for Admins managing the team.
import { withOrg } from '../db/tenant.js';
import { listMemberRows } from './memberships.js';
import type { TeamsDeps } from './teams-deps.js';
import type { Member } from './teams-schemas.js';

export type { Member };

export async function listMembers(deps: Pick<TeamsDeps, 'db' | 'decryptUserEmail'>, orgId: string): Promise<Member[]> {
  const rows = await withOrg(deps.db, orgId, (tx) => listMemberRows(tx, orgId));
  const members: Member[] = [];
  for (const r of rows) {
    members.push({ userId: r.userId, name: r.name, email: await deps.decryptUserEmail(r.userId, r.emailEncrypted), role: r.role, joinedAt: new Date(r.joinedAt).toISOString() });
  }
  return members;
}
