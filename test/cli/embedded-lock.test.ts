// PGlite is single-process: while a real Mowt server (src/main.ts, what `npm start` runs) holds the
// embedded data folder, operator commands that would open it refuse with a clear message and exit 1, and
// touch nothing; after the server stops they work. A lock left by a dead process is taken over.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireEmbeddedLock, EmbeddedDatabaseBusyError, lockFileOf } from '../../src/db/embedded-lock.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function spawnNode(args: string[], env: Record<string, string>, until?: RegExp) {
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    if (until) child.stdout.on('data', () => until.test(stdout) && resolve({ code: null, stdout, stderr }));
    void exited.then((code) => resolve({ code, stdout, stderr }));
  });
  return { child, ready, exited };
}

const mowt = (args: string[], env: Record<string, string>) => spawnNode(['bin/mowt.js', ...args], env).ready;

describe('embedded database lock', () => {
  it('operator commands refuse while `npm start` holds the PGlite folder, and work once it stops', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-lock-'));
    tmpDirs.push(dataDir);
    const env = { MOWT_DATA_DIR: dataDir, PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', MOWT_DEMO_EMULATOR: 'false', MOWT_ENV: 'development' };
    delete process.env.DATABASE_URL;
    const server = spawnNode(['--import', 'tsx', 'src/main.ts'], env, /Mowt is listening/);
    try {
      const up = await server.ready;
      expect(up.stdout, up.stderr).toMatch(/Mowt is listening/);
      const lock = JSON.parse(fs.readFileSync(lockFileOf(path.join(dataDir, 'db')), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(server.child.pid);

      for (const args of [['migrate'], ['backup'], ['rotate-keys'], ['verify-audit']]) {
        const r = await mowt(args, env);
        expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(`is in use by process ${server.child.pid} (mowt server`);
        expect(r.stderr).toMatch(/stop Mowt \(npm start\) first/);
      }
      expect(fs.existsSync(path.join(dataDir, 'backups'))).toBe(false); // the refused backup wrote nothing
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    expect(fs.existsSync(lockFileOf(path.join(dataDir, 'db')))).toBe(false); // released on a clean stop
    const migrate = await mowt(['migrate'], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/database schema is current/);
  }, 300_000); // a real server start (tsx, migrations, TLS) on a busy 2-core machine

  it('takes over a lock whose process is gone, is re-entrant in one process, and refuses a live holder', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-lock-')), 'db');
    tmpDirs.push(path.dirname(dir));
    // A process that has exited: its pid is free (a crashed server leaves its lock file behind).
    const dead = spawnNode(['-e', ''], {});
    await dead.exited;
    fs.writeFileSync(lockFileOf(dir), JSON.stringify({ pid: dead.child.pid, what: 'mowt server', since: 'earlier' }));
    const a = acquireEmbeddedLock(dir, 'test');
    const b = acquireEmbeddedLock(dir, 'test again');
    b.release();
    expect(JSON.parse(fs.readFileSync(lockFileOf(dir), 'utf8')).pid).toBe(process.pid);
    a.release();
    expect(fs.existsSync(lockFileOf(dir))).toBe(false);

    // A live holder (a sleeping child): refused, naming it.
    const holder = spawnNode(['-e', 'setTimeout(() => {}, 60000)'], {});
    try {
      fs.writeFileSync(lockFileOf(dir), JSON.stringify({ pid: holder.child.pid, what: 'mowt server', since: 'now' }));
      expect(() => acquireEmbeddedLock(dir, 'test')).toThrow(EmbeddedDatabaseBusyError);
      expect(() => acquireEmbeddedLock(dir, 'test')).toThrow(new RegExp(`in use by process ${holder.child.pid}`));
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
  });
});
