// `npm start` on an empty database prints a one-time setup link (after the listening line); the link's token
// is stored only as its SHA-256 and creates the first organisation through POST /api/setup.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { PROJECT_ROOT } from '../paths.js';

describe('setup link printed by npm start', () => {
  let t: TestDatabase;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-setup-'));
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is printed while no user exists, and only its hash is stored', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MOWT_DATA_DIR: dataDir, DATABASE_URL: t.url as string, PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', MOWT_DEMO_EMULATOR: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          stdout += c;
          const m = /^No account exists yet\..*: (https:\/\/\S+)$/m.exec(stdout);
          if (m?.[1]) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`mowt exited with ${code}: ${stderr}`)));
      });
      expect(line).toMatch(/^https:\/\/localhost:\d+\/setup#token=[A-Za-z0-9_-]{43}$/);
      expect(stdout.indexOf('Mowt is listening')).toBeLessThan(stdout.indexOf('No account exists yet'));
      const token = line.split('#token=')[1] as string;
      const rows = await t.db.owner.selectFrom('setup_tokens').select(['token_hash', 'expires_at', 'created_at']).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.token_hash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
      expect(new Date(rows[0]!.expires_at).getTime() - new Date(rows[0]!.created_at).getTime()).toBe(24 * 3600 * 1000);
    } finally {
      child.kill('SIGTERM');
    }
  }, 180_000);
});
