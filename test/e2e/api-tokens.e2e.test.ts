// Issue 8, end to end in Chromium against the real Mowt: an Admin creates a read-only API token under
// Settings → API tokens (password and a fresh code again: sudo mode), sees the secret exactly once, the token
// reads GET /api/v1/org with a Bearer header and is refused on a session route, and after "Revoke" the same
// token is refused at once. axe checks each state of the page. The public acknowledgements page is checked too.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, watchCspViolations } from '../helpers/browser.js';
import { checkPage, signInAndEnrol, startRealApp, type RealApp } from './support/real-app.js';

const ADMIN = { email: 'tokens-admin@example.test', password: 'Lantern-meadow-copper-8842' };
const ORG = 'Tokens E2E Ltd';

let real: RealApp;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  real = await startRealApp({ prefix: 'tokens', admin: ADMIN, org: ORG });
  ({ baseUrl, browser } = real);
}, 300_000);

afterAll(async () => {
  await real?.close();
});

describe('API tokens e2e (issue 8)', () => {
  it('an Admin creates a token that is shown once, reads /api/v1 with it, and revokes it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const csp = watchCspViolations(page);
    const totp = await signInAndEnrol(page, baseUrl, ADMIN);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
    await page.getByRole('heading', { name: 'No API tokens yet' }).waitFor();
    await checkPage(page, 'tokens', 'empty');

    await page.getByLabel('Name', { exact: true }).fill('Finance warehouse');
    await page.getByLabel('org:read').check();
    await page.getByLabel('Your password').fill(ADMIN.password);
    // The enrolment code was used; the next time-step's code is still within the ±1 step window and unused.
    await page.getByLabel('Authenticator code').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    const secret = (await shown.textContent()) ?? '';
    expect(secret).toMatch(/^mowt_[0-9a-f]+_/);
    const row = page.getByRole('row', { name: /Finance warehouse/ });
    await row.waitFor();
    // The list shows only a recognisable prefix, never the secret.
    expect(await row.textContent()).not.toContain(secret.slice(-20));
    await checkPage(page, 'tokens', 'created');

    const bearer = { headers: { authorization: `Bearer ${secret}` }, ignoreHTTPSErrors: true };
    const org = await context.request.get(`${baseUrl}/api/v1/org`, bearer);
    expect(org.status()).toBe(200);
    expect(await org.json()).toMatchObject({ name: ORG });
    // A token is not a session: session routes refuse it.
    expect((await context.request.get(`${baseUrl}/api/me`, { ...bearer })).status()).toBe(401);

    // Reloading never shows the secret again.
    await page.reload();
    await row.waitFor();
    expect(await page.getByTestId('new-token').count()).toBe(0);

    await row.getByRole('button', { name: 'Revoke Finance warehouse' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('will be refused from its next request').waitFor();
    await checkPage(page, 'tokens', 'revoke dialog');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await row.getByText('Revoked').waitFor();
    expect((await context.request.get(`${baseUrl}/api/v1/org`, bearer)).status()).toBe(401);
    expect(csp).toEqual([]);
    await context.close();
  }, 300_000);

  it('security.txt names a public acknowledgements page that anyone can open', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const csp = watchCspViolations(page);
    const txt = await (await context.request.get(`${baseUrl}/.well-known/security.txt`, { ignoreHTTPSErrors: true })).text();
    const ack = /^Acknowledgments: (\S+)$/m.exec(txt)?.[1];
    expect(ack).toBe(`${baseUrl}/security/acknowledgements`);
    await page.goto(ack as string);
    await page.getByRole('heading', { level: 1, name: 'Security acknowledgements' }).waitFor();
    await page.getByText('No reports have been credited yet.').waitFor();
    expect(await page.getByRole('link', { name: 'disclosure policy' }).getAttribute('href')).toBe('/security/policy.txt');
    await checkPage(page, 'tokens', 'acknowledgements');
    expect(csp).toEqual([]);
    await context.close();
  }, 120_000);
});
