// The plan job on the shared pg-boss queue: every 15 minutes, the time-driven billing steps that are due
// (trial reminders and ends, grace periods, end of access, erasure after retention). Singleton queue, so
// with several workers each run happens once.
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { BillingService } from './billing-service.js';

export const BILLING_QUEUE = 'billing-plan-steps';
export const BILLING_CRON = '*/15 * * * *';

export async function scheduleBillingJobs(boss: PgBoss, billing: BillingService, logger: Logger): Promise<void> {
  await boss.createQueue(BILLING_QUEUE, { name: BILLING_QUEUE, policy: 'singleton' });
  await boss.schedule(BILLING_QUEUE, BILLING_CRON, {}, { tz: 'UTC' });
  await boss.work(BILLING_QUEUE, async () => {
    const report = await billing.runDue();
    if (report.changed > 0 || report.pendingErasure.length > 0) logger.info({ report }, 'billing plan steps applied');
  });
}
