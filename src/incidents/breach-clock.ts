// The 72-hour breach-notification clock as pure functions: when a notice is due and whether it is overdue.
// The clock starts when Mowt became aware of the personal-data breach (breach_detected_at), as UK GDPR
// Art. 33 counts it, and stops for an organisation when its notice has been sent.

export const BREACH_NOTICE_HOURS = 72;
const HOUR = 3_600_000;

export function noticeDueAt(breachDetectedAt: Date): Date {
  return new Date(breachDetectedAt.getTime() + BREACH_NOTICE_HOURS * HOUR);
}

/** Overdue: no notice sent and the deadline has passed (at exactly 72 h it is due, not yet late). */
export function isNoticeOverdue(breachDetectedAt: Date, noticeSentAt: Date | null, now: Date): boolean {
  return noticeSentAt === null && now.getTime() > noticeDueAt(breachDetectedAt).getTime();
}

/** Hours left before the deadline (negative once overdue), rounded down to whole hours. */
export function hoursLeft(breachDetectedAt: Date, now: Date): number {
  return Math.floor((noticeDueAt(breachDetectedAt).getTime() - now.getTime()) / HOUR);
}
