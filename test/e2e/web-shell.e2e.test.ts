// The web app in a real Chromium against an in-memory API (support/fake-api.ts): sign-in and 2FA flows,
// CSRF on every write, field errors, role gating, the phone layout, the strict CSP, and axe on every page.
// Set MOWT_E2E_SCREENSHOTS=<dir> to keep a screenshot of each page for visual review.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, expectNoSeriousA11yViolations, launchBrowser, newContext, watchCspViolations } from '../helpers/browser.js';
import { FakeApi, fakeConnection, type FakeApiOptions } from './support/fake-api.js';
import { buildWeb, serveWeb, type StaticWeb } from './support/static-web.js';

let browser: Browser;
let web: StaticWeb;
let distDir: string;
const SHOTS = process.env.MOWT_E2E_SCREENSHOTS;

beforeAll(async () => {
  distDir = await buildWeb();
  web = await serveWeb(distDir);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
});

interface Session {
  api: FakeApi;
  context: BrowserContext;
  page: Page;
  csp: string[];
}

async function open(options: FakeApiOptions & { viewport?: { width: number; height: number } } = {}): Promise<Session> {
  const api = new FakeApi(options);
  const context = await newContext(browser, { viewport: options.viewport ?? DESKTOP });
  await api.install(context);
  const page = await context.newPage();
  const csp = watchCspViolations(page);
  return { api, context, page, csp };
}

/** axe plus an optional screenshot, once the page has settled. */
async function check(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, name);
  if (SHOTS) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }
}

// Real browser work with axe on many pages: generous per-test time on a 2-core CI machine.
describe('web app shell (fake API)', { timeout: 180_000 }, () => {
  it('signs in, enrols 2FA, shows recovery codes once, and sends the CSRF token on every write', async () => {
    const { api, context, page, csp } = await open({ enrolled: false });
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/overview`);
      // No session: the app sends the person to sign in, remembering where they were going.
      await page.waitForURL(/\/sign-in\?next=/);
      await check(page, 'sign-in');

      await page.getByLabel('Email').fill('ada@example.test');
      await page.getByLabel('Password').fill('wrong password entirely');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: /Wrong email or password/ }).waitFor();
      await check(page, 'sign-in-error');

      await page.getByLabel('Password').fill(FakeApi.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/sign-in\/enrol/);
      const qr = page.getByRole('img', { name: /QR code/ });
      await qr.waitFor();
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth > 0)).toBe(true);
      await check(page, 'enrol-2fa');

      await page.getByLabel('Authenticator code').fill('000000');
      await page.getByRole('button', { name: /Turn on two-factor/ }).click();
      await page.getByRole('alert').filter({ hasText: /code is not valid/ }).waitFor();

      await page.getByLabel('Authenticator code').fill(FakeApi.code);
      await page.getByRole('button', { name: /Turn on two-factor/ }).click();
      await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
      expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
      await check(page, 'recovery-codes');
      const continueButton = page.getByRole('button', { name: 'Continue to Mowt' });
      expect(await continueButton.isDisabled()).toBe(true);
      await page.getByLabel('I have saved my recovery codes').check();
      await continueButton.click();

      await page.waitForURL(new RegExp(`/orgs/${api.orgId}/overview$`));
      await page.getByRole('heading', { name: /Connect Stripe to see/ }).waitFor();
      await check(page, 'overview');

      expect(api.writes.length).toBeGreaterThan(0);
      for (const w of api.writes) expect(w.csrf, `${w.method} ${w.path}`).toBe('csrf-test-token');
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('asks an enrolled person for their code, then returns them to the page they wanted', async () => {
    const { api, context, page } = await open({ enrolled: true });
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/settings/sessions`);
      await page.waitForURL(/\/sign-in\?next=/);
      await page.getByLabel('Email').fill('ada@example.test');
      await page.getByLabel('Password').fill(FakeApi.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/sign-in\/totp/);
      await check(page, 'verify-2fa');
      await page.getByLabel('Authenticator code').fill(FakeApi.code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(new RegExp(`/orgs/${api.orgId}/settings/sessions$`));
      await page.getByRole('heading', { name: /Chrome on Linux/ }).waitFor();
      await check(page, 'sessions');
    } finally {
      await context.close();
    }
  });

  it('lets an Admin visit every page, invite a member (field errors next to the field) and sign out', async () => {
    // Two Stripe accounts: one synced, one a few objects short of the end of its first sync.
    const stripeConnections = [
      fakeConnection('conn-uk01', 'Acme UK'),
      fakeConnection('conn-eu02', 'Acme EU', {
        sync: { phase: 'backfilling', progress: 0.996, etaSeconds: 20, lastSuccessAt: null, objects: [{ type: 'invoices', count: 2915, progress: 0.997, done: false, lastSuccessAt: null, lastError: null }] },
      }),
    ];
    const { api, context, page, csp } = await open({ enrolled: true, signedIn: true, stripeConnections });
    try {
      for (const [path, heading] of [
        ['overview', 'Overview'],
        ['mrr', 'MRR'],
        ['churn', 'Churn'],
        ['cohorts', 'Cohorts'],
        ['customers', 'Customers'],
        ['plans', 'Plans'],
        ['settings/audit-log', 'Audit log'],
        ['settings/security', 'Security'],
      ] as const) {
        await page.goto(`${web.url}/orgs/${api.orgId}/${path}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await check(page, path.replace('/', '-'));
      }
      // Changing the password: a wrong current password is a form error, not a trip to the sign-in page.
      const passwordForm = page.getByRole('form', { name: 'Change password' });
      await passwordForm.getByLabel('Current password').fill('not my password');
      await passwordForm.getByLabel('Authenticator code').fill(FakeApi.code);
      await passwordForm.getByLabel('New password').fill('Brand-new-secret-2026');
      await passwordForm.getByRole('button', { name: 'Change password' }).click();
      await passwordForm.getByRole('alert').filter({ hasText: /password is not correct/ }).waitFor();
      expect(page.url()).toMatch(/settings\/security$/);
      await passwordForm.getByLabel('Current password').fill(FakeApi.password);
      await passwordForm.getByRole('button', { name: 'Change password' }).click();
      await passwordForm.getByText('Password changed.', { exact: false }).waitFor();

      // Sync progress: a sync still running never reads 100% beside the time it has left.
      await page.goto(`${web.url}/orgs/${api.orgId}/settings/stripe`);
      const eu = page.getByRole('region', { name: /^Acme EU/ });
      await eu.getByText(/^History synced:/).waitFor();
      expect(await eu.getByText(/^History synced:/).textContent()).toBe('History synced: 99% (2,915 objects), less than a minute left');
      expect(await eu.getByRole('progressbar').getAttribute('value')).toBe('99');
      expect(await eu.getByRole('row', { name: /^Invoices/ }).getByRole('cell').nth(2).textContent()).toBe('99%');
      // Each connection's disconnect dialog is named after its own connection, not the first one on the page.
      await eu.getByRole('button', { name: /^Disconnect/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('deletes this connection').waitFor();
      expect(await dialog.evaluate((d) => document.getElementById(d.getAttribute('aria-labelledby') ?? '')?.textContent)).toBe('Disconnect Acme EU?');
      await check(page, 'stripe-disconnect-dialog');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // The audit log names members rather than ids.
      await page.goto(`${web.url}/orgs/${api.orgId}/settings/audit-log`);
      await page.getByRole('cell', { name: 'Ada Admin' }).first().waitFor();

      await page.goto(`${web.url}/orgs/${api.orgId}/settings/team`);
      await page.getByRole('cell', { name: /^Brian Member/ }).waitFor();
      await check(page, 'team');
      const invite = page.getByRole('region', { name: 'Invite someone' });
      await invite.getByLabel('Email').fill('not-an-address');
      // The fake API validates like the server; bypass the browser's own email check to reach it.
      await page.locator('form').first().evaluate((f: HTMLFormElement) => f.setAttribute('novalidate', ''));
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      await invite.getByText('Enter a valid email address.').waitFor();
      const emailInput = invite.getByLabel('Email');
      expect(await emailInput.getAttribute('aria-invalid')).toBe('true');
      await check(page, 'team-invite-error');
      await emailInput.fill('vera@example.test');
      await invite.getByLabel('Role').selectOption('viewer');
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByRole('cell', { name: 'vera@example.test', exact: true }).waitFor();
      expect(api.invites).toMatchObject([{ email: 'vera@example.test', role: 'viewer' }]);

      await page.getByRole('button', { name: 'Account menu' }).click();
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL(/\/sign-in\?signedOut=1/);
      await page.getByText('You have been signed out.').waitFor();
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('hides member management from a Viewer and says so when reached directly', async () => {
    const { api, context, page } = await open({ role: 'viewer', enrolled: true, signedIn: true });
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/overview`);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Overview' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Team' }).count()).toBe(0);
      expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);

      await page.goto(`${web.url}/orgs/${api.orgId}/settings/team`);
      await page.getByRole('heading', { name: /You don’t have access to team management/ }).waitFor();
      await check(page, 'viewer-no-access');
      // The page did not even ask for the member list.
      expect(api.requests.filter((r) => r.includes('/members'))).toEqual([]);
      // The onboarding choices (connect Stripe, load the demo data) are Admin work the server refuses a Viewer.
      await page.goto(`${web.url}/orgs/${api.orgId}/welcome`);
      await page.getByRole('heading', { name: /You don’t have access to setting up Stripe/ }).waitFor();
      expect(await page.getByRole('button', { name: 'Explore the demo data' }).count()).toBe(0);
      // Dashboard views are recorded for the audit trail.
      expect(api.requests).toContain(`POST /api/orgs/${api.orgId}/audit/page-view`);
    } finally {
      await context.close();
    }
  });

  it('switches organisation on the same page, and hides what the role there does not allow', async () => {
    const other = { id: '5e0c1f7a-2b4d-4c8e-9f10-0a1b2c3d4e5f', name: 'Beta Labs', role: 'viewer' as const };
    const { api, context, page } = await open({ enrolled: true, signedIn: true, otherOrgs: [other] });
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/settings/sessions`);
      const switcher = page.getByLabel('Organisation');
      await switcher.selectOption(other.id);
      await page.waitForURL(new RegExp(`/orgs/${other.id}/settings/sessions$`));
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Sessions' }).waitFor();
      // The URL changes before the new organisation's role arrives: wait for the Admin-only link to go.
      await nav.getByRole('link', { name: 'Team' }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Account menu' }).click();
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
      await check(page, 'org-switcher-user-menu');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor({ state: 'detached' });
    } finally {
      await context.close();
    }
  });

  it('collapses the navigation behind a menu button on a phone', async () => {
    const { api, context, page, csp } = await open({ enrolled: true, signedIn: true, viewport: PHONE });
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/overview`);
      const menu = page.getByRole('button', { name: 'Open navigation' });
      await menu.waitFor();
      // Located by id: a collapsed navigation is display:none and so absent from the accessibility tree.
      const nav = page.locator('#side-nav');
      expect(await nav.isVisible()).toBe(false);
      await check(page, 'phone-overview');
      await menu.click();
      expect(await nav.isVisible()).toBe(true);
      await check(page, 'phone-nav-open');
      await nav.getByRole('link', { name: 'Team' }).click();
      await page.waitForURL(/settings\/team$/);
      await nav.waitFor({ state: 'hidden' });
      await page.getByRole('cell', { name: /^Brian Member/ }).waitFor();
      await check(page, 'phone-team');
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('renders the sign-in pages reached from email links, and explains an incomplete link', async () => {
    const { context, page } = await open({ viewport: PHONE });
    try {
      await page.goto(`${web.url}/invite#token=abcdefghijklmnopqrstuvwxyz`);
      await page.getByRole('heading', { name: 'Join your team on Mowt' }).waitFor();
      await check(page, 'phone-invite');
      await page.goto(`${web.url}/reset-password`);
      await page.getByText('This link is incomplete.').waitFor();
      await page.goto(`${web.url}/forgot-password`);
      await page.getByLabel('Email').fill('someone@example.test');
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      await page.goto(`${web.url}/setup#token=abcdefghijklmnopqrstuvwxyz`);
      await page.getByRole('heading', { name: 'Set up Mowt' }).waitFor();
      await check(page, 'phone-setup');
    } finally {
      await context.close();
    }
  });
});
