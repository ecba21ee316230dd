// Ends the current session server-side: the row is deleted, so the cookie is worthless even if kept.
import { withoutOrg } from '../db/tenant.js';
import type { AuthDeps, RequestMeta } from './auth-deps.js';
import { deleteSession } from './sessions.js';

export async function logout(deps: AuthDeps, session: { id: string; userId: string }, meta: RequestMeta): Promise<void> {
  await withoutOrg(deps.db, (tx) => deleteSession(tx, session.id));
  await deps.audit.record({ action: 'auth.logout', result: 'success', userId: session.userId, ip: meta.ip, userAgent: meta.userAgent, target: session.id });
}
