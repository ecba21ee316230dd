// Retention across 400 simulated days with an injected clock: each day a backup is taken, then pruning
// runs, exactly as the daily job does. What remains must be the promise and nothing else.
import { describe, expect, it } from 'vitest';
import { describeRetention, isoWeek, selectBackupsToDelete, type BackupRef } from './retention.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1, 2, 23); // 02:23 UTC, the scheduled time

function simulate(days: number, perDay: number, isGood: (day: number, n: number) => boolean = () => true) {
  let kept: BackupRef[] = [];
  let now = new Date(START);
  for (let d = 0; d < days; d++) {
    for (let n = 0; n < perDay; n++) {
      now = new Date(START + d * DAY + n * (DAY / perDay));
      kept.push({ backupId: `b-${d}-${n}`, createdAt: now, good: isGood(d, n) });
      const doomed = new Set(selectBackupsToDelete(kept, now));
      kept = kept.filter((b) => !doomed.has(b.backupId));
    }
  }
  return { kept, now };
}

const age = (b: BackupRef, now: Date) => (now.getTime() - b.createdAt.getTime()) / DAY;

describe('selectBackupsToDelete', () => {
  it('keeps 30 dailies and one backup per ISO week for a year, after 400 days of daily backups', () => {
    const { kept, now } = simulate(400, 1);
    const recent = kept.filter((b) => age(b, now) < 30);
    const older = kept.filter((b) => age(b, now) >= 30);
    expect(recent.length).toBe(30);
    // Every day of the last 30 is there.
    expect(new Set(recent.map((b) => b.createdAt.toISOString().slice(0, 10))).size).toBe(30);
    // Older ones are weeklies only: one per ISO week, each the first backup of its week, none a year old.
    expect(older.every((b) => age(b, now) < 365)).toBe(true);
    const weeks = older.map((b) => isoWeek(b.createdAt));
    expect(new Set(weeks).size).toBe(weeks.length);
    for (const b of older) expect(b.createdAt.getUTCDay()).toBe(1); // Monday: the first daily of its ISO week
    const weeklies = new Set(kept.map((b) => isoWeek(b.createdAt)));
    expect(weeklies.size).toBeGreaterThanOrEqual(52);
    expect(weeklies.size).toBeLessThanOrEqual(54);
    // 30 dailies + the weeklies older than 30 days: about 30 + 48.
    expect(kept.length).toBe(30 + older.length);
    expect(older.length).toBeGreaterThanOrEqual(47);
    expect(older.length).toBeLessThanOrEqual(49);
  });

  it('keeps snapshots taken more often than daily for 48 hours only', () => {
    const { kept, now } = simulate(60, 4);
    const young = kept.filter((b) => age(b, now) < 2);
    expect(young.length).toBe(8);
    const days = kept.filter((b) => age(b, now) >= 2 && age(b, now) < 30);
    // One (the first) per day beyond 48 hours.
    expect(days.every((b) => b.backupId.endsWith('-0'))).toBe(true);
    expect(new Set(days.map((b) => b.createdAt.toISOString().slice(0, 10))).size).toBe(days.length);
  });

  it('lets a good backup fill the day and week a failed one would have taken', () => {
    const { kept } = simulate(100, 2, (_d, n) => n === 1);
    expect(kept.filter((b) => !b.good).length).toBeLessThanOrEqual(2);
    expect(kept.filter((b) => b.good).every((b) => b.backupId.endsWith('-1'))).toBe(true);
  });

  it('never deletes the newest good backup, however old', () => {
    const old: BackupRef[] = [
      { backupId: 'a', createdAt: new Date(START), good: true },
      { backupId: 'b', createdAt: new Date(START + DAY), good: true },
      { backupId: 'c', createdAt: new Date(START + 2 * DAY), good: false },
    ];
    const now = new Date(START + 800 * DAY);
    expect(selectBackupsToDelete(old, now)).toEqual(['a', 'c']);
    expect(selectBackupsToDelete([], now)).toEqual([]);
  });

  it('keeps backups dated after now (clock skew)', () => {
    const future = [{ backupId: 'f', createdAt: new Date(START + DAY), good: true }];
    expect(selectBackupsToDelete(future, new Date(START))).toEqual([]);
  });

  it('numbers ISO weeks as ISO 8601 does at year ends', () => {
    expect(isoWeek(new Date('2026-01-01T12:00:00Z'))).toBe('2026-W01');
    expect(isoWeek(new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeek(new Date('2026-11-23T00:00:00Z'))).toBe('2026-W48');
  });

  it('says why each backup is kept', () => {
    const monday = Date.UTC(2026, 10, 23, 2, 23);
    const refs: BackupRef[] = [
      { backupId: 'mon', createdAt: new Date(monday), good: true },
      { backupId: 'mon-late', createdAt: new Date(monday + 3 * 3_600_000), good: true },
      { backupId: 'tue', createdAt: new Date(monday + DAY), good: true },
    ];
    expect(describeRetention(refs, new Date(monday + DAY + 1000))).toEqual(new Map([['mon', 'daily+weekly'], ['mon-late', 'recent'], ['tue', 'daily']]));
    expect(describeRetention(refs, new Date(monday + 40 * DAY)).get('tue')).toBe('newest');
    expect(describeRetention(refs, new Date(monday + 40 * DAY)).get('mon-late')).toBe('expired');
  });
});
