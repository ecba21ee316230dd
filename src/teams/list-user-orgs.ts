// The organisations a user belongs to, with their role (GET /api/me). The user's own memberships are read
// with app.user_id set (no organisation); each organisation's name is then read inside that organisation's
// own scope, so the organisations table keeps its single tenant policy.
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import type { Role } from './permissions.js';
import { withUser } from './with-user.js';

export interface UserOrg {
  id: string;
  name: string;
  role: Role;
}

export async function listUserOrgs(db: Db, userId: string): Promise<UserOrg[]> {
  const memberships = await withUser(db, userId, (tx) =>
    tx.selectFrom('memberships').select(['org_id', 'role']).where('user_id', '=', userId).orderBy('created_at').execute(),
  );
  const orgs: UserOrg[] = [];
  for (const m of memberships) {
    const org = await withOrg(db, m.org_id, (tx) => tx.selectFrom('organisations').select('name').where('id', '=', m.org_id).executeTakeFirst());
    if (org) orgs.push({ id: m.org_id, name: org.name, role: m.role });
  }
  return orgs;
}
