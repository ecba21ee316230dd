// The process-level contract: the "listening" line, a clean one-line failure on bad config, the CLI's help.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function run(args: string[], env: Record<string, string>, until?: RegExp) {
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise<{ code: number | null; stdout: string; stderr: string; kill: () => void }>((resolve) => {
    const done = (code: number | null) => resolve({ code, stdout, stderr, kill: () => child.kill('SIGTERM') });
    if (until) child.stdout.on('data', () => until.test(stdout) && done(null));
    child.on('exit', (code) => done(code));
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('mowt process', () => {
  it('prints one "Mowt is listening" line and serves HTTPS', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-start-'));
    tmpDirs.push(dataDir);
    const r = await run(['--import', 'tsx', 'src/main.ts'], { MOWT_DATA_DIR: dataDir, PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'warn' }, /Mowt is listening on https:\/\/localhost:\d+\n/);
    try {
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('Mowt is listening'));
      expect(lines).toHaveLength(1);
      const port = /localhost:(\d+)/.exec(lines[0]!)![1];
      expect(await get(`https://127.0.0.1:${port}/healthz`)).toEqual({ status: 200, body: '{"status":"ok"}' });
      // The data folder holds the embedded database and the generated certificate.
      expect(fs.existsSync(path.join(dataDir, 'db'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'tls', 'localhost.key'))).toBe(true);
    } finally {
      r.kill();
    }
  });

  it('stops on a bad configuration value with one clear line and no stack trace', async () => {
    const r = await run(['--import', 'tsx', 'src/main.ts'], { PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('mowt: invalid configuration: PORT must be integer (got "eighty")');
  });

  it('production refuses the embedded database and development keys', async () => {
    const r = await run(['--import', 'tsx', 'src/main.ts'], { MOWT_ENV: 'production' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^mowt: refusing to start in production: /);
  });

  it('npx mowt --help lists the operator commands', async () => {
    const r = await run(['bin/mowt.js', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: mowt');
    expect(r.stdout).toContain('migrate');
  });

  it('npx mowt emulator prints its listening line and serves the Stripe API', async () => {
    const r = await run(['bin/mowt.js', 'emulator', '--port', '0', '--business', 'small', '--seed', '3'], {}, /Stripe emulator listening on http:\/\/127\.0\.0\.1:\d+\n/);
    try {
      expect(r.stdout).toMatch(/^Stripe emulator listening on http:\/\/127\.0\.0\.1:\d+$/m);
    } finally {
      r.kill();
    }
  });

  it('npx mowt emulator refuses an unknown business size', async () => {
    const r = await run(['bin/mowt.js', 'emulator', '--business', 'huge'], {});
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('mowt: --business must be one of demo|small|large|empty, got huge');
  });

  it('an unknown command exits non-zero', async () => {
    const r = await run(['bin/mowt.js', 'frobnicate'], {});
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});
