// Issue 10 end to end in Chromium against the real Mowt (createApp over HTTPS, every hook) and the Stripe
// emulator's billing account: a visitor signs up from the sign-in page, confirms the address from the mailed
// link, signs in and enrols 2FA, sees the trial banner, picks a plan, pays on the emulator's hosted Checkout
// page and comes back to an active plan; then a renewal fails and the past-due banner appears. axe checks
// the new pages.
import fs from 'node:fs';
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorPost, startBillingHarness, type BillingHarness } from '../../src/billing/test-support.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { expectNoSeriousA11yViolations, launchBrowser, newContext, watchCspViolations } from '../helpers/browser.js';
import { freePort } from './support/real-app.js';
import { buildWeb } from './support/static-web.js';

const PERSON = { name: 'Sam Founder', email: 'sam@founder.example', password: 'Quartz-meadow-lantern-8137', org: 'Founder Analytics' };

let t: TestDatabase;
let h: BillingHarness;
let webDist: string;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  webDist = await buildWeb();
  const port = await freePort();
  baseUrl = `https://127.0.0.1:${port}`;
  h = await startBillingHarness(t.db, { listen: true, env: { PORT: String(port), MOWT_BASE_URL: baseUrl }, overrides: { webDist } });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await t?.dispose();
  if (webDist) fs.rmSync(webDist, { recursive: true, force: true });
}, 60_000);

/** The app's clock is the harness's (frozen) one, so codes are computed at its time. */
function totpAtAppTime(secret: string): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret.replace(/\s+/g, '')) }).generate({ timestamp: h.clock().getTime() });
}

async function check(page: Page, label: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, label);
}

describe('sign-up to a paid plan, and a failed renewal (issue 10)', () => {
  it('signs up, verifies, enrols 2FA, pays in the emulator, then sees the past-due banner', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const csp = watchCspViolations(page);

    await page.goto(`${baseUrl}/sign-in`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/sign-up$/);
    await check(page, 'sign-up');
    await page.getByLabel('Organisation name').fill(PERSON.org);
    await page.getByLabel('Your name').fill(PERSON.name);
    await page.getByLabel('Work email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Start free trial' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

    await h.settle();
    const mail = h.mail.sent.find((m) => m.to === PERSON.email && m.subject === 'Confirm your email address');
    const link = /https:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(mail?.text ?? '')?.[0];
    expect(link).toBeDefined();
    await page.goto(link as string);
    await page.getByText('Your email address is confirmed.').waitFor();
    await page.getByRole('link', { name: 'Go to Mowt' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL(/\/sign-in\/enrol/);
    await page.getByText('Can’t scan it? Enter the key by hand').click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    await page.getByLabel('Authenticator code').fill(totpAtAppTime(secret));
    await page.getByRole('button', { name: /Turn on two-factor/ }).click();
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('button', { name: 'Continue to Mowt' }).click();
    await page.waitForURL(/\/orgs\/[0-9a-f-]{36}\//);
    const orgId = /\/orgs\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';

    const banner = page.getByTestId('plan-banner');
    await expect.poll(async () => banner.textContent()).toContain('Free trial: 14 days left');

    // Onboarding: connect Stripe (the Stripe settings page) — or the demo data where the deployment has it.
    await page.goto(`${baseUrl}/orgs/${orgId}/welcome`);
    await page.getByRole('heading', { name: 'Welcome to Mowt' }).waitFor();
    await check(page, 'welcome');
    await page.getByRole('link', { name: 'Connect Stripe' }).click();
    await page.waitForURL(/\/settings\/stripe$/);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
    await check(page, 'billing (trial)');
    await page.getByRole('button', { name: /Choose Starter/ }).click();
    await page.waitForURL(/\/_emulator\/checkout\/cs_test_/);
    await expect.poll(async () => page.textContent('body')).toContain('VAT');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(/\/settings\/billing\?checkout=success/);
    await expect.poll(async () => page.getByTestId('billing-state').textContent(), { timeout: 20_000 }).toBe('Active');
    await check(page, 'billing (active)');

    // The renewal fails: past_due, and the banner says so on every page.
    await emulatorPost(h, '/_emulator/billing/fail_next_renewal');
    await emulatorPost(h, '/_emulator/billing/renew');
    await page.goto(`${baseUrl}/orgs/${orgId}/overview`);
    await expect.poll(async () => banner.getAttribute('data-state'), { timeout: 20_000 }).toBe('past_due');
    expect(await banner.textContent()).toContain('Your last payment failed');
    await check(page, 'past-due banner');
    expect(csp).toEqual([]);
    await context.close();
  }, 300_000);
});
