// The operator commands end to end through `mowt` (runCli) on PostgreSQL: what they print and their exit
// codes — backup, list, restore-test PASS, restore into an empty database, refusal of a non-empty one.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { runCli } from '../cli.js';

describe('mowt backup / backups list / restore-test / restore', () => {
  let t: TestDatabase;
  let empty: TestDatabase;
  let dir: string;
  const saved = { ...process.env };
  let lines: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    empty = await createTestDatabase('postgres', { migrate: false });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-backup-cli-'));
    Object.assign(process.env, { DATABASE_URL: t.url, MOWT_DATA_DIR: dir, MOWT_ENV: 'development', LOG_LEVEL: 'silent' });
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    process.env = saved;
    process.exitCode = undefined;
    await empty?.dispose();
    await t?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...argv: string[]) => {
    lines = [];
    process.exitCode = undefined;
    const code = await runCli(argv);
    return { code, text: lines.join('\n') };
  };

  it('backs up, lists, tests and restores, printing what it did', async () => {
    const backup = await run('backup');
    expect(backup.code).toBe(0);
    expect(backup.text).toMatch(/backup mowt-\S+-postgres-\S+: \d+ tables, \d+ rows, dump .* encrypted/);
    expect(backup.text).toMatch(/sha256 +[0-9a-f]{64}/);
    const file = fs.readdirSync(path.join(dir, 'backups')).find((f) => f.endsWith('.mowtbak'))!;

    const list = await run('backups', 'list');
    expect(list.code).toBe(0);
    expect(list.text).toContain(file.replace('.mowtbak', ''));

    const test = await run('restore-test');
    expect(test.text).toContain('RESULT: PASS');
    expect(test.code).toBe(0);

    const refused = await run('restore', path.join(dir, 'backups', file));
    expect(refused.code).toBe(1);
    expect(refused.text).toMatch(/refusing to restore: the target database is not empty/);

    const restored = await run('restore', path.join(dir, 'backups', file), '--target-url', empty.url!);
    expect(restored.code).toBe(0);
    expect(restored.text).toMatch(/verified .* restored in/);
  });

  it('exits 1 with the reason when restore-test finds nothing to test', async () => {
    fs.rmSync(path.join(dir, 'backups'), { recursive: true, force: true });
    const test = await run('restore-test');
    expect(test.code).toBe(1);
    expect(test.text).toMatch(/problem: no backup in local folder/);
    expect(test.text).toContain('RESULT: FAIL');
  });
});

describe('mowt backup on a running embedded database', () => {
  it('refuses to open a PGlite data directory another live process holds, and writes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-backup-cli-open-'));
    fs.mkdirSync(path.join(dir, 'db'));
    // The running server's lock (src/db/embedded-lock.ts), held here by a live child process.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    fs.writeFileSync(`${path.join(dir, 'db')}.lock`, JSON.stringify({ pid: holder.pid, what: 'mowt server', since: 'now' }));
    const saved = { ...process.env };
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      delete process.env.DATABASE_URL;
      Object.assign(process.env, { MOWT_DATA_DIR: dir, MOWT_ENV: 'development' });
      expect(await runCli(['backup'])).toBe(1);
      expect(lines.join('\n')).toMatch(new RegExp(`is in use by process ${holder.pid} \\(mowt server`));
      expect(fs.readdirSync(path.join(dir, 'db'))).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
      spy.mockRestore();
      process.env = saved;
      process.exitCode = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
