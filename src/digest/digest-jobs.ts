// Digest (hourly check: each member gets theirs once per day/week) and movement notifications (every 15
// minutes) on the shared pg-boss queue, singleton queues so several workers never double-send.
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { DigestService } from './digest-service.js';

export const DIGEST_QUEUE = 'digest-send';
export const NOTIFY_QUEUE = 'movement-notify';

export async function scheduleDigestJobs(boss: PgBoss, digest: DigestService, logger: Logger): Promise<void> {
  await boss.createQueue(DIGEST_QUEUE, { name: DIGEST_QUEUE, policy: 'singleton' });
  await boss.schedule(DIGEST_QUEUE, '5 * * * *', {}, { tz: 'UTC' });
  await boss.work(DIGEST_QUEUE, async () => {
    const r = await digest.sendDueDigests();
    if (r.sent + r.failed > 0) logger.info({ digest: r }, 'digests sent');
  });
  await boss.createQueue(NOTIFY_QUEUE, { name: NOTIFY_QUEUE, policy: 'singleton' });
  await boss.schedule(NOTIFY_QUEUE, '*/15 * * * *', {}, { tz: 'UTC' });
  await boss.work(NOTIFY_QUEUE, async () => {
    const r = await digest.sendMovementNotifications();
    if (r.notified + r.failed > 0) logger.info({ notifications: r }, 'movement notifications sent');
  });
}
