// The scheduled rotation check on the job queue: once a day, singleton, on whichever worker picks it up.
// Most days it finds nothing due and returns in milliseconds; it also finishes work a crash interrupted.
import type PgBoss from 'pg-boss';
import { runRotationIfDue, type RotationOptions, type RotationReport } from './rotation.js';

export const ROTATION_QUEUE = 'crypto.rotate-keys';
/** 03:17 UTC daily: off the hour, when dashboards are quiet in the UK. */
export const ROTATION_CRON = '17 3 * * *';

export async function scheduleKeyRotation(
  boss: PgBoss,
  opts: Omit<RotationOptions, 'force'>,
  onReport?: (report: RotationReport) => void,
): Promise<void> {
  await boss.createQueue(ROTATION_QUEUE, { name: ROTATION_QUEUE, policy: 'singleton' });
  await boss.schedule(ROTATION_QUEUE, ROTATION_CRON, {}, { tz: 'UTC' });
  await boss.work(ROTATION_QUEUE, async () => {
    const report = await runRotationIfDue(opts);
    onReport?.(report);
  });
}
