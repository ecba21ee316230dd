// Which backups to keep (pure; the clock is a parameter). The promise: daily snapshots kept 30 days,
// weekly full backups kept one year. Every `mowt backup` is a full snapshot, so the tiers are roles, not
// different kinds of file:
//   - daily:  the first good backup of each UTC day, kept 30 days;
//   - weekly: the first good backup of each ISO week (UTC, weeks start on Monday), kept 365 days — it is
//             promoted from the dailies, so no separate weekly run is needed;
//   - recent: every backup for 48 hours, so snapshots taken more often than daily (MOWT_BACKUP_INTERVAL,
//             for a 15-minute recovery point on the embedded database) stay around while they matter.
// The newest good backup is never deleted, whatever its age: pruning must not leave nothing to restore.
export interface BackupRef {
  backupId: string;
  createdAt: Date;
  /** False for a backup known to be unusable (its restore test failed); it never fills a daily/weekly slot. */
  good: boolean;
}

export interface RetentionPolicy {
  recentHours: number;
  dailyDays: number;
  weeklyDays: number;
}

export const RETENTION: RetentionPolicy = { recentHours: 48, dailyDays: 30, weeklyDays: 365 };

export type RetentionTier = 'weekly' | 'daily' | 'recent';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** ISO 8601 week of a UTC instant, e.g. "2026-W48" (the week-year can differ from the calendar year). */
export function isoWeek(d: Date): string {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The roles each backup plays (a backup can be both the day's and the week's first). */
export function retentionTiers(backups: readonly BackupRef[]): Map<string, Set<'daily' | 'weekly'>> {
  const sorted = [...backups].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.backupId.localeCompare(b.backupId));
  const days = new Set<string>();
  const weeks = new Set<string>();
  const tiers = new Map<string, Set<'daily' | 'weekly'>>();
  for (const b of sorted) {
    const set = new Set<'daily' | 'weekly'>();
    if (b.good) {
      const day = utcDay(b.createdAt);
      const week = isoWeek(b.createdAt);
      if (!days.has(day)) {
        days.add(day);
        set.add('daily');
      }
      if (!weeks.has(week)) {
        weeks.add(week);
        set.add('weekly');
      }
    }
    tiers.set(b.backupId, set);
  }
  return tiers;
}

/** Why a backup is kept at `now`, or undefined when it may be deleted. */
export function keepReason(
  b: BackupRef,
  tiers: ReadonlySet<'daily' | 'weekly'>,
  now: Date,
  newestGoodId: string | undefined,
  policy: RetentionPolicy = RETENTION,
): RetentionTier | 'newest' | undefined {
  const age = now.getTime() - b.createdAt.getTime();
  if (tiers.has('daily') && age < policy.dailyDays * DAY_MS) return 'daily';
  if (tiers.has('weekly') && age < policy.weeklyDays * DAY_MS) return 'weekly';
  if (age < policy.recentHours * HOUR_MS) return 'recent';
  if (b.backupId === newestGoodId) return 'newest';
  return undefined;
}

function newestGood(backups: readonly BackupRef[]): string | undefined {
  let best: BackupRef | undefined;
  for (const b of backups) if (b.good && (!best || b.createdAt > best.createdAt)) best = b;
  return best?.backupId;
}

/** Ids of the backups retention no longer needs at `now`, oldest first. */
export function selectBackupsToDelete(backups: readonly BackupRef[], now: Date, policy: RetentionPolicy = RETENTION): string[] {
  const tiers = retentionTiers(backups);
  const newest = newestGood(backups);
  return [...backups]
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .filter((b) => keepReason(b, tiers.get(b.backupId) ?? new Set(), now, newest, policy) === undefined)
    .map((b) => b.backupId);
}

/** For `mowt backups list`: each backup's reason to be kept, or 'expired'. */
export function describeRetention(backups: readonly BackupRef[], now: Date, policy: RetentionPolicy = RETENTION): Map<string, string> {
  const tiers = retentionTiers(backups);
  const newest = newestGood(backups);
  return new Map(
    backups.map((b) => {
      const own = tiers.get(b.backupId) ?? new Set();
      const reason = keepReason(b, own, now, newest, policy);
      // Name both roles of a backup that is its day's and its week's first while it is young.
      return [b.backupId, reason === 'daily' && own.has('weekly') ? 'daily+weekly' : (reason ?? 'expired')];
    }),
  );
}
