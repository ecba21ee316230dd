// Issue 5, end to end in Chromium against the real Mowt (createApp: HTTPS, PGlite, every hook) pointed at
// the Stripe emulator: an Admin (created with the CLI) signs in with 2FA, opens Settings → Stripe, is told
// why a full secret key is refused, connects a restricted key, and watches the sync reach "Up to date" with
// per-object counts; the page refreshes itself while syncing. axe checks every state of the page.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { expectNoSeriousA11yViolations, launchBrowser, newContext, watchCspViolations } from '../helpers/browser.js';
import { buildWeb } from './support/static-web.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN = { email: 'stripe-admin@example.test', password: 'Granite-orchard-bicycle-5521' };
const ORG = 'Stripe E2E Ltd';

let dataDir: string;
let webDist: string;
let app: App;
let emulator: RunningEmulator;
let baseUrl: string;
let browser: Browser;

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

async function createAdminWithCli(env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/mowt.js'), 'create-admin', '--email', ADMIN.email, '--org', ORG, '--password-stdin'], {
    cwd: REPO, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(`${ADMIN.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`create-admin exited with ${code}:\n${out}`);
}

async function check(page: Page, label: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, label);
  const dir = process.env.MOWT_E2E_SCREENSHOTS;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `stripe-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`), fullPage: true });
  }
}

async function signInAndEnrol(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/sign-in\/enrol/);
  await page.getByText('Can’t scan it? Enter the key by hand').click();
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
  await page.getByLabel('Authenticator code').fill(new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate());
  await page.getByRole('button', { name: /Turn on two-factor/ }).click();
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  await page.getByLabel('I have saved my recovery codes').check();
  await page.getByRole('button', { name: 'Continue to Mowt' }).click();
  await page.waitForURL(/\/orgs\/[0-9a-f-]{36}\/overview$/);
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-e2e-stripe-'));
  emulator = await startEmulator({ business: 'small', seed: 11, rateLimitPerSecond: 100 });
  const port = await freePort();
  baseUrl = `https://127.0.0.1:${port}`;
  const env = {
    MOWT_DATA_DIR: dataDir, PORT: String(port), HTTP_PORT: '0', HOST: '127.0.0.1', MOWT_BASE_URL: baseUrl, LOG_LEVEL: 'silent',
    MOWT_STRIPE_API_BASE: emulator.url, MOWT_DEMO_EMULATOR: 'false',
  };
  await createAdminWithCli(env);
  webDist = await buildWeb();
  app = await createApp(loadConfig(env), { logger: createLogger({ level: 'silent' }), webDist });
  await app.listen();
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await emulator?.close();
  for (const dir of [dataDir, webDist]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Stripe settings e2e (issue 5)', () => {
  it('an Admin connects a restricted key and watches the sync reach done with counts', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const csp = watchCspViolations(page);
    await signInAndEnrol(page);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stripe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stripe' }).waitFor();
    await page.getByRole('heading', { name: 'No Stripe account is connected yet' }).waitFor();
    await page.getByRole('button', { name: 'Connect with Stripe' }).waitFor();
    await check(page, 'no connection');

    // A full secret key is explained and not even sent.
    const keyField = page.getByLabel('Restricted key');
    await keyField.fill('sk_test_notAllowedFullKey0001');
    await page.getByText('This is a full secret key (sk_…).').waitFor();
    expect(await page.getByRole('button', { name: 'Connect key' }).isDisabled()).toBe(true);
    await check(page, 'secret key refused');

    await keyField.fill('rk_test_e2eReadOnlyKey0001');
    await page.getByRole('button', { name: 'Connect key' }).click();
    await page.getByText('Connected. The first sync has started.').waitFor();
    const card = page.getByRole('region').filter({ hasText: /Restricted key rk_test_…0001/ });
    await card.waitFor();
    // The card refreshes by itself until the backfill is done.
    await card.getByText('Up to date').waitFor({ timeout: 120_000 });
    await card.getByText('History synced: 100%').waitFor();
    const customers = card.getByRole('row', { name: /^Customers/ });
    expect(await customers.getByRole('cell').nth(1).textContent()).toBe('50');
    expect(await customers.getByRole('cell').nth(2).textContent()).toBe('Done');
    expect(await card.getByRole('progressbar').getAttribute('value')).toBe('100');
    await card.getByText(/\/webhooks\/stripe\/[0-9a-f-]{36}/).waitFor();
    await check(page, 'synced');

    // Disconnecting asks first; cancelling keeps the connection.
    await card.getByRole('button', { name: /^Disconnect/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('deletes this connection and every object synced through it').waitFor();
    await check(page, 'disconnect dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await card.getByText('Up to date').waitFor();
    expect(csp).toEqual([]);
    await context.close();
  }, 300_000);
});
