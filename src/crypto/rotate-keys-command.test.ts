import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli.js';
import { openDatabase } from '../db/database.js';

describe('mowt rotate-keys', () => {
  let dataDir: string;
  const saved = { ...process.env };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-cli-'));
    for (const k of ['DATABASE_URL', 'DATABASE_APP_URL', 'KMS_KEY_ID', 'MOWT_MASTER_KEY']) delete process.env[k];
    process.env.MOWT_DATA_DIR = dataDir;
  });
  afterAll(() => {
    process.env = saved;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    process.exitCode = undefined;
    try {
      const code = await runCli(args);
      return { code, out: out.join('\n'), err: err.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
      process.exitCode = undefined;
    }
  }

  it('refuses to run on an unmigrated database', async () => {
    const r = await run('rotate-keys');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/run `mowt migrate` first/);
  });

  it('reports that nothing is due, then rotates everything with --force, printing each step', async () => {
    expect((await run('migrate')).code).toBe(0);
    const quiet = await run('rotate-keys');
    expect(quiet.code).toBe(0);
    expect(quiet.out).toMatch(/nothing was due/);
    const forced = await run('rotate-keys', '--force', '--grace-seconds', '0');
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/system data: key-encryption key v1 → v2, data key v1 → v2/);
    expect(forced.out).toMatch(/rotated 2 key\(s\)/);
    const keys = fs.readdirSync(path.join(dataDir, 'keys')).sort();
    expect(keys).toEqual(['system.data.v1.key', 'system.data.v2.key', 'system.index.v1.key', 'system.index.v2.key']);
    for (const k of keys) expect(fs.statSync(path.join(dataDir, 'keys', k)).mode & 0o777).toBe(0o600);
  });

  it('exits non-zero when another rotation holds the lease', async () => {
    const db = await openDatabase({ kind: 'pglite', dir: path.join(dataDir, 'db') });
    await db.owner.insertInto('crypto_rotation_leases').values({ name: 'key-rotation', holder: 'elsewhere', expires_at: new Date(Date.now() + 600_000) }).execute();
    await db.close();
    const r = await run('rotate-keys', '--force');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/already running in another process/);
  });

  it('rejects a malformed master key without echoing it', async () => {
    process.env.MOWT_MASTER_KEY = 'hunter2-not-a-key';
    try {
      const r = await run('rotate-keys');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/MOWT_MASTER_KEY must be 32 random bytes/);
      expect(r.err).not.toContain('hunter2');
    } finally {
      delete process.env.MOWT_MASTER_KEY;
    }
  });
});
