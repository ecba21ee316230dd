// The scheduled breach-deadline check: every 15 minutes, on one worker (singleton queue), any affected
// organisation whose breach notice is still unsent 72 hours after detection alerts on-call.
import type PgBoss from 'pg-boss';
import { checkBreachDeadlines, type IncidentDeps } from './incidents.js';

export const BREACH_DEADLINE_QUEUE = 'incidents.breach-deadlines';
export const BREACH_DEADLINE_CRON = '*/15 * * * *';

export async function scheduleBreachDeadlineCheck(boss: PgBoss, deps: IncidentDeps): Promise<void> {
  await boss.createQueue(BREACH_DEADLINE_QUEUE, { name: BREACH_DEADLINE_QUEUE, policy: 'singleton' });
  await boss.schedule(BREACH_DEADLINE_QUEUE, BREACH_DEADLINE_CRON, {}, { tz: 'UTC' });
  await boss.work(BREACH_DEADLINE_QUEUE, async () => {
    const overdue = await checkBreachDeadlines(deps);
    if (overdue.length > 0) deps.logger.error({ overdue }, 'breach notices overdue');
  });
}
