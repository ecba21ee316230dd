// The issue-4 team scenario in the browser, shared by team.e2e.test.ts (the app as src/app.ts builds it).
import fs from 'node:fs';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectNoSeriousA11yViolations, newContext, watchCspViolations } from '../../helpers/browser.js';
import { findMailedLink } from './mailbox.js';

export const ADMIN = { email: 'ada@example.test', password: 'Quartz-meadow-lantern-8137' };
export const VIEWER = { email: 'vera@example.test', name: 'Vera Viewer', password: 'Copper-harbour-violin-4620' };
export const ORG = 'Acme Analytics';

function totpNow(secret: string): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret.replace(/\s+/g, '')) }).generate();
}

async function check(page: Page, label: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, label);
  // MOWT_E2E_SCREENSHOTS=<dir> keeps a picture of each page for visual review.
  const dir = process.env.MOWT_E2E_SCREENSHOTS;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `team-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`), fullPage: true });
  }
}

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** On the enrol page: read the secret, confirm with a code computed from it, keep the recovery codes. */
async function enrolTotp(page: Page, label: string): Promise<void> {
  await page.waitForURL(/\/sign-in\/enrol/);
  await page.getByRole('img', { name: /QR code/ }).waitFor();
  await check(page, `${label}: enrol 2FA`);
  await page.getByText('Can’t scan it? Enter the key by hand').click();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  expect(secret.replace(/\s+/g, '')).toMatch(/^[A-Z2-7]{16,}$/);
  await page.getByLabel('Authenticator code').fill(totpNow(secret));
  await page.getByRole('button', { name: /Turn on two-factor/ }).click();
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
  await check(page, `${label}: recovery codes`);
  await page.getByLabel('I have saved my recovery codes').check();
  await page.getByRole('button', { name: 'Continue to Mowt' }).click();
  await page.waitForURL(/\/orgs\/[0-9a-f-]{36}\/overview$/);
}

/**
 * Admin (already created, no 2FA yet) signs in and enrols TOTP, invites a Viewer; the Viewer accepts from
 * the mailed link, enrols 2FA, and cannot reach member management: not in the navigation, not by URL,
 * not through the API.
 */
export async function runTeamScenario({ browser, baseUrl, dataDir }: { browser: Browser; baseUrl: string; dataDir: string }): Promise<void> {
  // --- The Admin -------------------------------------------------------------------------------------
  const adminContext = await newContext(browser);
  const admin = await adminContext.newPage();
  const adminCsp = watchCspViolations(admin);
  await admin.goto(`${baseUrl}/`);
  await admin.waitForURL(/\/sign-in/);
  await check(admin, 'sign-in');
  await signIn(admin, ADMIN);
  await enrolTotp(admin, 'Admin');
  const orgId = admin.url().match(/\/orgs\/([0-9a-f-]{36})\//)?.[1] ?? '';
  // The dashboard shows figures, a sync in progress or how to connect Stripe, depending on the demo data.
  await admin.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await admin.locator('.state-loading').first().waitFor({ state: 'detached' });
  await check(admin, 'Admin: overview');

  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
  await admin.getByRole('cell', { name: new RegExp(`^${ADMIN.email.split('@')[0]}`) }).first().waitFor();
  await check(admin, 'Admin: team');
  const invite = admin.getByRole('region', { name: 'Invite someone' });
  await invite.getByLabel('Email').fill(VIEWER.email);
  await invite.getByLabel('Role').selectOption('viewer');
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await invite.getByText(`Invitation sent to ${VIEWER.email}.`).waitFor();
  await admin.getByRole('cell', { name: VIEWER.email, exact: true }).waitFor();
  await check(admin, 'Admin: team with invitation');

  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  await admin.getByRole('table', { name: 'Audit log entries' }).waitFor();
  await check(admin, 'Admin: audit log');
  expect(adminCsp).toEqual([]);
  await adminContext.close();

  // --- The Viewer, from the mailed invitation -----------------------------------------------------------
  const link = await findMailedLink(dataDir, VIEWER.email, '/invite');
  const viewerContext = await newContext(browser);
  const viewer = await viewerContext.newPage();
  const viewerCsp = watchCspViolations(viewer);
  await viewer.goto(baseUrl + link);
  await viewer.getByRole('heading', { name: 'Join your team on Mowt' }).waitFor();
  await check(viewer, 'Viewer: accept invitation');
  await viewer.getByLabel('Your name').fill(VIEWER.name);
  await viewer.getByLabel('Password').fill(VIEWER.password);
  await viewer.getByRole('button', { name: 'Accept invitation' }).click();
  await viewer.waitForURL(/\/sign-in\?invited=1/);
  await signIn(viewer, VIEWER);
  await enrolTotp(viewer, 'Viewer');
  expect(viewer.url()).toContain(`/orgs/${orgId}/overview`);
  await check(viewer, 'Viewer: overview');

  // Not offered in the navigation…
  const nav = viewer.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Overview' }).waitFor();
  expect(await nav.getByRole('link', { name: 'Team' }).count()).toBe(0);
  expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
  // …refused by direct address…
  await viewer.goto(`${baseUrl}/orgs/${orgId}/settings/team`);
  await viewer.getByRole('heading', { name: /You don’t have access to team management/ }).waitFor();
  await check(viewer, 'Viewer: team (no access)');
  // …and refused by the server.
  const members = await viewer.request.get(`${baseUrl}/api/orgs/${orgId}/members`);
  expect([403, 404]).toContain(members.status());
  const csrf = (await (await viewer.request.get(`${baseUrl}/api/auth/csrf`)).json()) as { token: string };
  const sneakyInvite = await viewer.request.post(`${baseUrl}/api/orgs/${orgId}/invites`, {
    headers: { 'x-csrf-token': csrf.token, origin: baseUrl },
    data: { email: 'mallory@example.test', role: 'admin' },
  });
  expect([403, 404]).toContain(sneakyInvite.status());
  expect(viewerCsp).toEqual([]);
  await viewerContext.close();
}
