// Settings → Data & privacy end to end in Chromium against the real Mowt: an Admin sees the data region and the
// backup state, downloads the whole organisation as a zip (GDPR), imports an exchange-rate file under Settings →
// Exchange rates (a bad file lists its problems by line and stores nothing), and deletes the organisation —
// refused with a wrong password, then done with the password, a fresh code and the typed name — after which the
// organisation is gone for its members and the Admin lands on the "not in an organisation" page. axe checks
// each state.
import type { Browser } from 'playwright-core';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, watchCspViolations } from '../helpers/browser.js';
import { checkPage, signInAndEnrol, startRealApp, type RealApp } from './support/real-app.js';

const ADMIN = { email: 'data-admin@example.test', password: 'Harbour-violet-pebble-5521' };
const ORG = 'Leaving Soon Ltd';

let real: RealApp;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  real = await startRealApp({ prefix: 'data', admin: ADMIN, org: ORG });
  ({ baseUrl, browser } = real);
}, 300_000);

afterAll(async () => {
  await real?.close();
});

function zipEntries(buffer: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('Data & privacy e2e', () => {
  it('shows where the data lives, downloads all of it, and deletes the organisation only with sudo and the typed name', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const csp = watchCspViolations(page);
    const totp = await signInAndEnrol(page, baseUrl, ADMIN);
    const orgId = /\/orgs\/([0-9a-f-]{36})\//.exec(page.url())?.[1];
    expect(orgId).toBeTruthy();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data & privacy' }).click();
    await page.getByRole('heading', { level: 1, name: 'Data & privacy' }).waitFor();
    await page.getByText('eu-west-2 — backups may only be written to').waitFor();
    await page.getByTestId('last-backup').getByText('No backup has run yet.').waitFor();
    await checkPage(page, 'data', 'overview');

    // The export is a plain authenticated download of a zip.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download all data (.zip)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(new RegExp(`^mowt-export-${orgId}-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const names = await zipEntries(Buffer.concat(chunks));
    expect(names).toEqual(expect.arrayContaining(['organisation.json', 'members.csv', expect.stringMatching(/^tables\/audit_log\.csv$/)]));

    // Exchange rates: a file with a bad line is refused whole, with the line named; a good one is listed.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exchange rates' }).click();
    await page.getByRole('heading', { level: 1, name: 'Exchange rates' }).waitFor();
    await page.getByRole('heading', { name: 'No rates imported' }).waitFor();
    await checkPage(page, 'data', 'exchange rates empty');
    const csv = (text: string) => ({ name: 'rates.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.getByLabel('CSV file').setInputFiles(csv('date,currency,rate\n2026-03-10,USD,0.79\n2026-03-11,USD,-1\n'));
    await page.getByRole('button', { name: 'Import rates' }).click();
    await page.getByRole('list', { name: 'Problems in the file' }).getByText(/^line 3:/).waitFor();
    await checkPage(page, 'data', 'exchange rates problems');
    expect(await page.getByRole('heading', { name: 'No rates imported' }).count()).toBe(1);
    await page.getByLabel('CSV file').setInputFiles(csv('date,currency,rate\n2026-03-10,USD,0.79\n2026-03-11,USD,0.7912\n'));
    await page.getByRole('button', { name: 'Import rates' }).click();
    await page.getByText('Imported 2 rates.').waitFor();
    await page.getByRole('table', { name: 'Imported currencies' }).getByRole('rowheader', { name: 'USD' }).waitFor();
    await checkPage(page, 'data', 'exchange rates imported');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data & privacy' }).click();

    // The button stays disabled until the name is typed exactly.
    const form = page.getByRole('form', { name: 'Delete this organisation' });
    const button = form.getByRole('button', { name: 'Delete organisation and all its data' });
    await form.getByLabel(/Type the organisation’s name/).fill('Leaving Soon');
    expect(await button.isDisabled()).toBe(true);
    await form.getByLabel(/Type the organisation’s name/).fill(ORG);
    await form.getByLabel('Current password').fill('not the password at all');
    await form.getByLabel('Authenticator code').fill('000000');
    await button.click();
    await form.getByRole('alert').waitFor();
    await checkPage(page, 'data', 'wrong password');
    expect((await context.request.get(`${baseUrl}/api/orgs/${orgId}`, { ignoreHTTPSErrors: true })).status()).toBe(200);

    await form.getByLabel('Current password').fill(ADMIN.password);
    // The enrolment used this time-step's code; the next one is inside the ±1 step window and unused.
    await form.getByLabel('Authenticator code').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await button.click();
    await page.getByRole('heading', { name: 'You are not in an organisation' }).waitFor();
    await page.getByText(`${ORG} was deleted.`).waitFor();
    await checkPage(page, 'data', 'deleted');
    expect((await context.request.get(`${baseUrl}/api/orgs/${orgId}`, { ignoreHTTPSErrors: true })).status()).toBe(404);
    expect(csp).toEqual([]);
    await context.close();
  }, 300_000);
});
