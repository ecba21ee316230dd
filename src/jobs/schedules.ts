// The recurring work of a Mowt deployment on one job queue: daily key-rotation check, expired-session
// clean-up, scheduled backups and the monthly restore test, plus Stripe sync passes. Singleton queues, so with many workers each
// run happens on exactly one of them. `npm start` runs it in-process; a production worker runs the same.
import { scheduleAuthCleanup } from '../auth/index.js';
import { scheduleBackupJobs } from '../backup/index.js';
import { scheduleBillingJobs } from '../billing/index.js';
import { scheduleDigestJobs } from '../digest/index.js';
import { scheduleKeyRotation } from '../crypto/index.js';
import type { Services } from '../services.js';
import { scheduleBreachDeadlineCheck } from '../incidents/index.js';
import { createQueue, type Queue } from './queue.js';

export interface RunningJobs {
  queue: Queue;
  stop(): Promise<void>;
}

export async function startScheduledJobs(services: Services): Promise<RunningJobs> {
  const { config, db, logger, clock, crypto } = services;
  const queue = createQueue(db, { connectionString: config.database.kind === 'postgres' ? config.database.url : undefined, maintenanceSeconds: config.jobs.maintenanceSeconds });
  queue.on('error', (err) => logger.error({ err }, 'job queue error'));
  await queue.start();
  await scheduleKeyRotation(queue, { crypto, clock }, (report) => logger.info({ report }, 'key rotation check finished'));
  await scheduleAuthCleanup(queue, { db, clock });
  // Plan steps (trial/grace/access end, erasure) and the digest + movement notifications.
  await scheduleBillingJobs(queue, services.billing, logger);
  await scheduleDigestJobs(queue, services.digest, logger);
  await scheduleBreachDeadlineCheck(queue, { db, crypto, clock, logger, mailer: services.mailer, baseUrl: () => config.baseUrl, oncall: config.oncall });
  // Stripe sync passes and the Events API polling schedule (one pass per connection at a time).
  await services.stripe.useQueue(queue);
  // Full analytics recomputes (after backfills, settings changes) and the hourly snapshot refresh.
  await services.analytics.useQueue(queue);
  await scheduleBackupJobs(queue, {
    config,
    db,
    crypto,
    onBackup: (result, pruned) => logger.info({ backup: result.location, pruned: pruned.length }, 'scheduled backup finished'),
    onRestoreTest: (report) => (report.ok ? logger.info.bind(logger) : logger.error.bind(logger))({ backupId: report.backupId, problems: report.problems }, 'scheduled restore test finished'),
  });
  return {
    queue,
    stop: () => queue.stop({ graceful: true, wait: true, timeout: 10_000 }),
  };
}
