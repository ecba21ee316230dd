// Staff sessions: their own table and their own cookie (__Host-mowt_staff, SameSite=Strict), so a staff
// session can never be mistaken for a customer session or the other way round. Only the SHA-256 of the
// token is stored; every request reads the row, so offboarding is effective on the very next request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, newToken } from '../auth/tokens.js';
import type { StaffPrincipal } from '../auth/auth-plugin.js';
import { withoutOrg, type Tx } from '../db/tenant.js';
import { STAFF_ABSOLUTE_MS, STAFF_IDLE_MS, type StaffDeps } from './staff-deps.js';

export const STAFF_COOKIE = '__Host-mowt_staff';
const COOKIE_OPTIONS = { path: '/', secure: true, httpOnly: true, sameSite: 'strict' } as const;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export async function createStaffSession(tx: Tx, input: { staffId: string; now: Date; ip: string | null; userAgent: string | null }): Promise<string> {
  const token = newToken();
  await tx
    .insertInto('staff_sessions')
    .values({ staff_id: input.staffId, token_hash: hashToken(token), stage: 'full', created_at: input.now, last_seen_at: input.now, ip: input.ip, user_agent: input.userAgent?.slice(0, 400) ?? null })
    .execute();
  return token;
}

export function setStaffCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(STAFF_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: STAFF_ABSOLUTE_MS / 1000 });
}

export function clearStaffCookie(reply: FastifyReply): void {
  reply.clearCookie(STAFF_COOKIE, COOKIE_OPTIONS);
}

export async function endStaffSessions(tx: Tx, staffId: string): Promise<number> {
  const res = await tx.deleteFrom('staff_sessions').where('staff_id', '=', staffId).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** The auth plugin's staff loader: sets request.staff from a valid, unexpired session of an enabled account. */
export function staffSessionLoader(deps: Pick<StaffDeps, 'db' | 'clock'>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = request.cookies[STAFF_COOKIE];
    if (!token) return;
    const now = deps.clock();
    const principal: StaffPrincipal | null = TOKEN_SHAPE.test(token)
      ? await withoutOrg(deps.db, async (tx) => {
          const row = await tx
            .selectFrom('staff_sessions as s')
            .innerJoin('staff_accounts as a', 'a.id', 's.staff_id')
            .select(['s.id', 's.staff_id', 's.created_at', 's.last_seen_at', 'a.disabled_at'])
            .where('s.token_hash', '=', hashToken(token))
            .executeTakeFirst();
          if (!row) return null;
          const t = now.getTime();
          if (row.disabled_at || t - row.last_seen_at.getTime() >= STAFF_IDLE_MS || t - row.created_at.getTime() >= STAFF_ABSOLUTE_MS) {
            await tx.deleteFrom('staff_sessions').where('id', '=', row.id).execute();
            return null;
          }
          if (t - row.last_seen_at.getTime() >= 60_000) await tx.updateTable('staff_sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
          return { staffId: row.staff_id, sessionId: row.id };
        })
      : null;
    if (!principal) {
      clearStaffCookie(reply);
      return;
    }
    request.staff = principal;
  };
}
