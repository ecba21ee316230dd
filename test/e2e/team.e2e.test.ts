// Issue 4, end to end in Chromium against the real Mowt (createApp: HTTPS, PGlite, every hook): an
// operator creates the first Admin with the CLI, then the browser scenario of support/team-scenario.ts
// runs — Admin enrols TOTP (code computed here from the secret the page shows), invites a Viewer, the
// Viewer accepts from the mailed link, enrols 2FA and cannot reach member management. axe checks every page.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { launchBrowser } from '../helpers/browser.js';
import { buildWeb } from './support/static-web.js';
import { ADMIN, ORG, runTeamScenario } from './support/team-scenario.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

let dataDir: string;
let webDist: string;
let app: App;
let baseUrl: string;
let browser: Browser;

/** A free TCP port. The server's public origin must be known before it starts: CSRF checks Origin against it. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** `npx mowt create-admin --email E --org NAME --password-stdin`, as an operator runs it. */
async function createAdminWithCli(env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/mowt.js'), 'create-admin', '--email', ADMIN.email, '--org', ORG, '--password-stdin'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(`${ADMIN.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`create-admin exited with ${code}:\n${out}`);
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-e2e-'));
  const port = await freePort();
  baseUrl = `https://127.0.0.1:${port}`;
  const env = { MOWT_DATA_DIR: dataDir, PORT: String(port), HTTP_PORT: '0', HOST: '127.0.0.1', MOWT_BASE_URL: baseUrl, LOG_LEVEL: 'silent' };
  await createAdminWithCli(env);
  webDist = await buildWeb();
  app = await createApp(loadConfig(env), { logger: createLogger({ level: 'silent' }), webDist });
  await app.listen();
  browser = await launchBrowser();
  // The CLI starts through tsx and hashes at bcrypt cost 12; the web build takes a few seconds more.
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  for (const dir of [dataDir, webDist]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('team e2e (issue 4)', () => {
  it('Admin enrols 2FA and invites a Viewer, who enrols 2FA and cannot reach member management', async () => {
    await runTeamScenario({ browser, baseUrl, dataDir });
    // Two sign-ins and an account creation hash at bcrypt cost 12 on top of the browser work.
  }, 240_000);
});
