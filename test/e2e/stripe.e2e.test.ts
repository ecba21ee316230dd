// Issue 5, end to end in Chromium against the real Mowt (createApp: HTTPS, PGlite, every hook) pointed at
// the Stripe emulator: an Admin (created with the CLI) signs in with 2FA, opens Settings → Stripe, is told
// why a full secret key is refused, connects a restricted key, and watches the sync reach "Up to date" with
// per-object counts; the page refreshes itself while syncing. axe checks every state of the page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { newContext, watchCspViolations } from '../helpers/browser.js';
import { checkPage, signInAndEnrol, startRealApp, type RealApp } from './support/real-app.js';

const ADMIN = { email: 'stripe-admin@example.test', password: 'Granite-orchard-bicycle-5521' };
const ORG = 'Stripe E2E Ltd';

let real: RealApp;
let emulator: RunningEmulator;
let baseUrl: string;
let browser: Browser;

const check = (page: Page, label: string) => checkPage(page, 'stripe', label);

beforeAll(async () => {
  emulator = await startEmulator({ business: 'small', seed: 11, rateLimitPerSecond: 100 });
  real = await startRealApp({ prefix: 'stripe', admin: ADMIN, org: ORG, env: { MOWT_STRIPE_API_BASE: emulator.url } });
  ({ baseUrl, browser } = real);
}, 300_000);

afterAll(async () => {
  await real?.close();
  await emulator?.close();
});

describe('Stripe settings e2e (issue 5)', () => {
  it('an Admin connects a restricted key and watches the sync reach done with counts', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const csp = watchCspViolations(page);
    await signInAndEnrol(page, baseUrl, ADMIN);

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

    // A rolled key is replaced in place: the history stays.
    await card.getByLabel('New restricted key (rk_…)').fill('rk_test_e2eRolledKey0002');
    await card.getByRole('button', { name: /^Replace key/ }).click();
    const rekeyed = page.getByRole('region').filter({ hasText: /Restricted key rk_test_…0002/ });
    await rekeyed.getByText('Key replaced; a sync pass is queued.').waitFor();
    expect(await rekeyed.getByRole('row', { name: /^Customers/ }).getByRole('cell').nth(1).textContent()).toBe('50');
    expect(csp).toEqual([]);
    await context.close();
  }, 300_000);
});
