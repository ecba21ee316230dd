// `mowt create-admin`: the real binary against PostgreSQL (prints the organisation id last, exit 0; a
// duplicate address exits 1 with one clear line), and the command's refusals in-process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../http/logger.js';
import { PROJECT_ROOT } from '../paths.js';
import { runCreateAdmin } from './create-admin-command.js';
import { listUserOrgs } from './list-user-orgs.js';

const PASSWORD = 'correct horse battery staple 42';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-cli-'));
  dirs.push(d);
  return d;
}

function mowt(args: string[], env: Record<string, string>, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/mowt.js', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('mowt create-admin', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('creates the first organisation and its Admin, printing the organisation id last; a duplicate exits 1', async () => {
    const dataDir = tmp();
    const env = { MOWT_DATA_DIR: dataDir, DATABASE_URL: t.url as string };
    const ok = await mowt(['create-admin', '--email', 'founder@example.com', '--org', 'Founders Ltd', '--password-stdin'], env, `${PASSWORD}\n`);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const lines = ok.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ok.stdout).not.toContain(PASSWORD);

    const again = await mowt(['create-admin', '--email', 'Founder@Example.com', '--org', 'Other', '--password-stdin'], env, PASSWORD);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('mowt: an account with this email address already exists');
    expect(again.stdout).toBe('');

    // The Admin really exists in the embedded database, in the printed organisation.
    const app = await createApp(loadConfig({ MOWT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: t.url as string }), { logger: createLogger({ level: 'silent' }) });
    try {
      const user = await app.db.owner.selectFrom('users').select('id').execute();
      expect(user).toHaveLength(1);
      expect(await listUserOrgs(app.db, user[0]!.id)).toEqual([{ id: lines.at(-1), name: 'Founders Ltd', role: 'admin' }]);
    } finally {
      await app.close();
    }
  }, 240_000);

  it('refuses a weak password, an empty one, and a password not given on stdin, creating nothing', async () => {
    const fresh = await createTestDatabase('postgres');
    const config = loadConfig({ MOWT_DATA_DIR: tmp(), LOG_LEVEL: 'silent' });
    const build = () => createApp(config, { db: fresh.db, logger: createLogger({ level: 'silent' }) });
    const io = (stdin: string) => ({ stdin: Readable.from([stdin]), stdout: new PassThrough(), stderr: new PassThrough() });
    const opts = { email: 'weak@example.com', org: 'Weak Ltd', passwordStdin: true };
    await expect(runCreateAdmin(opts, io('password1234\n'), build)).rejects.toThrow(/password is too easy to guess/);
    await expect(runCreateAdmin(opts, io('Weak Ltd weak@example.com'), build)).rejects.toThrow(/password/);
    await expect(runCreateAdmin(opts, io('short'), build)).rejects.toThrow('password must be at least 12 characters');
    await expect(runCreateAdmin(opts, io('\n'), build)).rejects.toThrow('no password on standard input');
    await expect(runCreateAdmin({ ...opts, passwordStdin: false }, io(PASSWORD), build)).rejects.toThrow(/--password-stdin/);
    try {
      expect(await fresh.db.owner.selectFrom('users').select('id').execute()).toEqual([]);
    } finally {
      await fresh.dispose();
    }
  }, 240_000);
});
