import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { startScheduledJobs, type RunningJobs } from './schedules.js';

describe('scheduled jobs', () => {
  let app: TestApp;
  let jobs: RunningJobs;
  let backupDir: string;
  beforeAll(async () => {
    backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-jobs-'));
    app = await startTestApp({ MOWT_BACKUP_DIR: backupDir });
    jobs = await startScheduledJobs(app.services);
  });
  afterAll(async () => {
    await jobs?.stop();
    await app?.stop();
    fs.rmSync(backupDir, { recursive: true, force: true });
  });

  it('registers the rotation check, session clean-up, backups and the monthly restore test once each', async () => {
    const schedules = await jobs.queue.getSchedules();
    const names = schedules.map((s) => s.name).sort();
    expect(names).toEqual(['analytics-refresh', 'auth.purge-expired', 'backup.restore-test', 'backup.snapshot', 'billing-plan-steps', 'crypto.rotate-keys', 'digest-send', 'incidents.breach-deadlines', 'movement-notify', 'retention.audit-purge', 'stripe-poll'].sort());
    expect(schedules.find((s) => s.name === 'backup.restore-test')?.cron).toBe('41 4 1 * *');
    expect(schedules.find((s) => s.name === 'crypto.rotate-keys')?.cron).toBe('17 3 * * *');
  });
});
