// Small pure pieces: where backups may go, when the jobs run, and how progress reads.
import { describe, expect, it } from 'vitest';
import { backupCron } from './backup-jobs.js';
import { BackupDestinationError, checkBackupDestination } from './destination-policy.js';
import { progressLine } from './progress.js';

describe('checkBackupDestination', () => {
  const base = { production: true, primaryRegion: 'eu-west-2', orgDataRegions: ['eu-west-2'] };

  it('refuses the primary region and a local folder in production, with the reason', () => {
    expect(() => checkBackupDestination({ ...base, destinationRegion: 'eu-west-2' })).toThrow(/must differ from the primary region \(eu-west-2\)/);
    expect(() => checkBackupDestination({ ...base, destinationRegion: 'local' })).toThrow(BackupDestinationError);
  });

  it('allows another UK/EU region for UK data, and refuses one outside', () => {
    expect(() => checkBackupDestination({ ...base, destinationRegion: 'eu-west-1' })).not.toThrow();
    expect(() => checkBackupDestination({ ...base, destinationRegion: 'us-east-1' })).toThrow(/data in eu-west-2 may not be copied there/);
    expect(() => checkBackupDestination({ ...base, orgDataRegions: ['eu-west-2', 'us-east-1'], destinationRegion: 'eu-west-1' })).toThrow(/us-east-1/);
  });

  it('allows a local folder outside production', () => {
    expect(() => checkBackupDestination({ ...base, production: false, destinationRegion: 'local' })).not.toThrow();
  });
});

describe('backupCron', () => {
  it.each([
    [1440, '23 2 * * *'],
    [15, '*/15 * * * *'],
    [60, '7 * * * *'],
    [360, '7 */6 * * *'],
  ])('%i minutes → %s', (minutes, cron) => expect(backupCron(minutes)).toBe(cron));

  it('refuses intervals that do not divide an hour or a day', () => {
    expect(() => backupCron(25)).toThrow(RangeError);
    expect(() => backupCron(300)).toThrow(RangeError);
  });
});

describe('progressLine', () => {
  it('shows bytes, percentage, ETA and rate; marks estimates', () => {
    expect(progressLine({ phase: 'restore', bytes: 10 * 1024 * 1024, total: 40 * 1024 * 1024, exact: true, elapsedMs: 1000 })).toBe(
      'restore  10.0 MiB  of 40.0 MiB  25%  ETA 3s  10.0 MiB/s',
    );
    expect(progressLine({ phase: 'backup', bytes: 2048, total: 4096, exact: false, elapsedMs: 2000 })).toMatch(/of ~4\.0 KiB {2}50% {2}ETA ~2s/);
    expect(progressLine({ phase: 'backup', bytes: 512, exact: false, elapsedMs: 0 })).toBe('backup   512 B  0 B/s');
  });
});
