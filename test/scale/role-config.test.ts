// MOWT_ROLE and `mowt worker`: the split between web and worker processes is configuration, validated at start.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/databases.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('MOWT_ROLE', () => {
  it('defaults to all and accepts web and worker on PostgreSQL', () => {
    expect(loadConfig({}).role).toBe('all');
    expect(loadConfig({ MOWT_ROLE: 'web', DATABASE_URL: PG }).role).toBe('web');
    expect(loadConfig({ MOWT_ROLE: 'worker', DATABASE_URL: PG }).role).toBe('worker');
  });

  it('refuses web or worker on the embedded database, and unknown roles, with one line', () => {
    expect(() => loadConfig({ MOWT_ROLE: 'web' })).toThrow(new ConfigError('invalid configuration: MOWT_ROLE=web needs DATABASE_URL (PostgreSQL)'));
    expect(() => loadConfig({ MOWT_ROLE: 'both', DATABASE_URL: PG })).toThrow(/^invalid configuration: MOWT_ROLE must be one of all, web, worker \(got "both"\)$/);
  });

  it('`mowt worker` that fails after opening the database and Redis exits 1 instead of lingering without jobs', async () => {
    const t = await createTestDatabase('postgres');
    try {
      // A job-queue schema the worker cannot use: pg-boss reports itself installed, but its tables are missing.
      await sql`create schema pgboss`.execute(t.db.owner);
      await sql`create table pgboss.version (version int primary key, maintained_on timestamptz, cron_on timestamptz, monitored_on timestamptz)`.execute(t.db.owner);
      await sql`insert into pgboss.version (version) values (9999)`.execute(t.db.owner);
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-worker-'));
      dirs.push(dataDir);
      const env = { ...process.env, MOWT_ENV: 'development', MOWT_DATA_DIR: dataDir, DATABASE_URL: t.url!, REDIS_URL: 'redis://127.0.0.1:6379', MOWT_DEMO_EMULATOR: 'false', MOWT_ROLE: '', LOG_LEVEL: 'warn' };
      const child = spawn(process.execPath, ['bin/mowt.js', 'worker'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(1);
      expect(stderr).toMatch(/^mowt: .*pgboss/m);
    } finally {
      await t.dispose();
    }
  }, 240_000);

  it('`mowt worker` on the embedded database stops with one clear line and exit 1', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-worker-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['bin/mowt.js', 'worker'], { cwd: PROJECT_ROOT, env: { ...process.env, MOWT_DATA_DIR: dataDir, DATABASE_URL: '', MOWT_ROLE: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('mowt: mowt worker needs DATABASE_URL (PostgreSQL); on the embedded database `npm start` runs the jobs itself');
  }, 240_000);
});

describe('scale-out job timing', () => {
  it('defaults to a 10-minute sync budget, an expiry of twice that plus a minute, and maintenance every 2 minutes', () => {
    expect(loadConfig({}).jobs).toEqual({ syncBudgetSeconds: 600, syncExpireSeconds: 1260, maintenanceSeconds: 120 });
    expect(loadConfig({ MOWT_SYNC_JOB_BUDGET_SECONDS: '30', MOWT_QUEUE_MAINTENANCE_SECONDS: '15' }).jobs).toEqual({ syncBudgetSeconds: 30, syncExpireSeconds: 120, maintenanceSeconds: 15 });
    expect(loadConfig({ MOWT_SYNC_JOB_BUDGET_SECONDS: '30', MOWT_SYNC_JOB_EXPIRE_SECONDS: '45' }).jobs.syncExpireSeconds).toBe(45);
  });

  it('refuses an expiry that does not outlast the budget, and out-of-range values, with one line', () => {
    expect(() => loadConfig({ MOWT_SYNC_JOB_BUDGET_SECONDS: '60', MOWT_SYNC_JOB_EXPIRE_SECONDS: '60' })).toThrow(new ConfigError('invalid configuration: MOWT_SYNC_JOB_EXPIRE_SECONDS (60) must be longer than MOWT_SYNC_JOB_BUDGET_SECONDS (60)'));
    expect(() => loadConfig({ MOWT_SYNC_JOB_BUDGET_SECONDS: '0' })).toThrow(/^invalid configuration: MOWT_SYNC_JOB_BUDGET_SECONDS /);
    expect(() => loadConfig({ MOWT_QUEUE_MAINTENANCE_SECONDS: 'soon' })).toThrow(/^invalid configuration: MOWT_QUEUE_MAINTENANCE_SECONDS /);
  });
});
