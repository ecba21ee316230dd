// Housekeeping: sessions nobody presents again and spent or expired mailed tokens would otherwise stay
// forever. Expired sessions already stop working when presented (auth-plugin); this removes the rest, once
// an hour, on whichever worker takes the singleton job.
import type PgBoss from 'pg-boss';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withoutOrg } from '../db/tenant.js';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS, PASSWORD_STAGE_IDLE_MS } from './sessions.js';

export const AUTH_CLEANUP_QUEUE = 'auth.purge-expired';
export const AUTH_CLEANUP_CRON = '23 * * * *';

export async function purgeExpiredAuth(db: Db, now: Date): Promise<{ sessions: number; tokens: number }> {
  const t = now.getTime();
  return withoutOrg(db, async (tx) => {
    const sessions = await tx
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([
          eb('created_at', '<=', new Date(t - ABSOLUTE_TIMEOUT_MS)),
          eb('last_seen_at', '<=', new Date(t - IDLE_TIMEOUT_MS)),
          eb.and([eb('stage', '=', 'password'), eb('last_seen_at', '<=', new Date(t - PASSWORD_STAGE_IDLE_MS))]),
        ]),
      )
      .executeTakeFirst();
    const tokens = await tx
      .deleteFrom('auth_tokens')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]))
      .executeTakeFirst();
    return { sessions: Number(sessions.numDeletedRows), tokens: Number(tokens.numDeletedRows) };
  });
}

export async function scheduleAuthCleanup(boss: PgBoss, deps: { db: Db; clock: Clock }): Promise<void> {
  await boss.createQueue(AUTH_CLEANUP_QUEUE, { name: AUTH_CLEANUP_QUEUE, policy: 'singleton' });
  await boss.schedule(AUTH_CLEANUP_QUEUE, AUTH_CLEANUP_CRON, {}, { tz: 'UTC' });
  await boss.work(AUTH_CLEANUP_QUEUE, async () => {
    await purgeExpiredAuth(deps.db, deps.clock());
  });
}
