import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { createQueue } from '../jobs/queue.js';
import { withoutOrg } from '../db/tenant.js';
import { issueAuthToken } from './auth-tokens.js';
import { createUser } from './create-user.js';
import { AUTH_CLEANUP_CRON, AUTH_CLEANUP_QUEUE, purgeExpiredAuth, scheduleAuthCleanup } from './purge-expired-auth.js';
import { createSession } from './sessions.js';
import { countingHasher, GOOD_PASSWORD, manualClock, testFieldCrypto, uniqueEmail } from './test-support.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(DB_KINDS)('purging expired sessions and tokens on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('removes idle, too-old and abandoned password-stage sessions and dead tokens, keeping live ones', async () => {
    const clock = manualClock();
    const { id: userId } = await createUser({ db: t.db, crypto: testFieldCrypto(), hasher: countingHasher(), clock }, { email: uniqueEmail(), name: 'Purge', password: GOOD_PASSWORD });
    const now = clock();
    const at = (ms: number) => new Date(now.getTime() - ms);
    const ids = await withoutOrg(t.db, async (tx) => {
      const mk = (stage: 'password' | 'full', created: Date, seen: Date) =>
        createSession(tx, { userId, stage, now: seen, createdAt: created, recentAuthAt: null, ip: null, userAgent: null }).then((s) => s.id);
      return {
        live: await mk('full', at(2 * DAY), at(DAY)),
        idle: await mk('full', at(9 * DAY), at(8 * DAY)),
        old: await mk('full', at(31 * DAY), at(60_000)),
        abandoned: await mk('password', at(20 * 60_000), at(20 * 60_000)),
        waiting: await mk('password', at(5 * 60_000), at(5 * 60_000)),
        liveToken: await issueAuthToken(tx, userId, 'verify-email', now),
        deadToken: await issueAuthToken(tx, userId, 'reset-password', at(DAY)),
      };
    });
    expect(await purgeExpiredAuth(t.db, now)).toEqual({ sessions: 3, tokens: 1 });
    const left = await t.db.owner.selectFrom('sessions').select('id').where('user_id', '=', userId).execute();
    expect(left.map((r) => r.id).sort()).toEqual([ids.live, ids.waiting].sort());
    expect(await t.db.owner.selectFrom('auth_tokens').select('purpose').where('user_id', '=', userId).execute()).toEqual([{ purpose: 'verify-email' }]);
  });

  it('is scheduled hourly as a singleton job', async () => {
    const boss = createQueue(t.db, { connectionString: t.url });
    boss.on('error', () => undefined);
    await boss.start();
    try {
      await scheduleAuthCleanup(boss, { db: t.db, clock: manualClock() });
      const schedules = await boss.getSchedules();
      expect(schedules.find((s) => s.name === AUTH_CLEANUP_QUEUE)).toMatchObject({ cron: AUTH_CLEANUP_CRON });
      const queue = await boss.getQueue(AUTH_CLEANUP_QUEUE);
      expect(queue?.policy).toBe('singleton');
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
});
