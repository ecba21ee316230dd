// The signed-in user and the organisations they belong to (from the teams slice).
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps } from './auth-deps.js';
import type { Me } from './auth-schemas.js';
import { findUserById, userEmail } from './users.js';

export type { Me };

export async function getMe(deps: AuthDeps, userId: string): Promise<Me> {
  const found = await withoutOrg(deps.db, async (tx) => {
    const user = await findUserById(tx, userId);
    return user ? { user, email: await userEmail(tx, deps.crypto, userId) } : null;
  });
  if (!found) throw new HttpProblem(401, 'sign in first');
  const { user, email } = found;
  const orgs = await deps.listOrgs(deps.db, userId);
  return { user: { id: user.id, email, name: user.name, emailVerified: user.emailVerifiedAt !== null }, orgs };
}
