// A user ends one of their own sessions (e.g. a forgotten laptop). Someone else's session id answers 404,
// exactly like an unknown one.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { deleteUserSession } from './sessions.js';

export async function revokeSession(deps: AuthDeps, userId: string, sessionId: string, meta: RequestMeta): Promise<void> {
  const deleted = await withoutOrg(deps.db, (tx) => deleteUserSession(tx, userId, sessionId));
  if (!deleted) throw new HttpProblem(404, 'no such session');
  await deps.audit.record({ action: 'auth.session.revoke', result: 'success', userId, ip: meta.ip, userAgent: meta.userAgent, target: sessionId });
}
