// A real Mowt for browser tests: createApp over HTTPS on a free port with a CLI-created Admin, and the
// sign-in + 2FA enrolment walk every such test starts with.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/http/logger.js';
import { expectNoSeriousA11yViolations, launchBrowser } from '../../helpers/browser.js';
import { buildWeb } from './static-web.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface Person {
  email: string;
  password: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** `npx mowt create-admin`, as an operator would run it. */
export async function createAdminWithCli(env: Record<string, string>, admin: Person, org: string): Promise<void> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/mowt.js'), 'create-admin', '--email', admin.email, '--org', org, '--password-stdin'], {
    cwd: REPO, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(`${admin.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`create-admin exited with ${code}:\n${out}`);
}

/** axe on the settled page, plus a screenshot when MOWT_E2E_SCREENSHOTS names a folder. */
export async function checkPage(page: Page, prefix: string, label: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, label);
  const dir = process.env.MOWT_E2E_SCREENSHOTS;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${prefix}-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`), fullPage: true });
  }
}

/** Signs in for the first time and enrols TOTP; returns the authenticator for later codes. */
export async function signInAndEnrol(page: Page, baseUrl: string, admin: Person): Promise<OTPAuth.TOTP> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/sign-in\/enrol/);
  await page.getByText('Can’t scan it? Enter the key by hand').click();
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  await page.getByLabel('Authenticator code').fill(totp.generate());
  await page.getByRole('button', { name: /Turn on two-factor/ }).click();
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  await page.getByLabel('I have saved my recovery codes').check();
  await page.getByRole('button', { name: 'Continue to Mowt' }).click();
  await page.waitForURL(/\/orgs\/[0-9a-f-]{36}\/overview$/);
  return totp;
}

export interface RealApp {
  app: App;
  baseUrl: string;
  /** The app's data folder (embedded database, keyring, outgoing mail in development). */
  dataDir: string;
  browser: Browser;
  close(): Promise<void>;
}

/** A real Mowt on a free HTTPS port (embedded database in a temporary folder) with a CLI-made Admin, and Chromium. */
export async function startRealApp(input: { prefix: string; admin: Person; org: string; env?: Record<string, string> }): Promise<RealApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `mowt-e2e-${input.prefix}-`));
  const port = await freePort();
  const baseUrl = `https://127.0.0.1:${port}`;
  const env = { MOWT_DATA_DIR: dataDir, PORT: String(port), HTTP_PORT: '0', HOST: '127.0.0.1', MOWT_BASE_URL: baseUrl, LOG_LEVEL: 'silent', MOWT_DEMO_EMULATOR: 'false', ...input.env };
  await createAdminWithCli(env, input.admin, input.org);
  const webDist = await buildWeb();
  const app = await createApp(loadConfig(env), { logger: createLogger({ level: 'silent' }), webDist });
  await app.listen();
  const browser = await launchBrowser();
  return {
    app,
    baseUrl,
    dataDir,
    browser,
    async close() {
      await browser.close();
      await app.close();
      for (const dir of [dataDir, webDist]) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
