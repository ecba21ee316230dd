// The analytics dashboard (issue 6) in a real Chromium, against the metrics API contract
// (docs/metrics-api.md) answered in the browser (support/fake-metrics.ts): every page renders with its
// numbers, a click on a drawn bar and on a KPI tile opens the customers behind it, Viewers get no export,
// save-view or annotation controls, the phone layout holds, the CSP reports nothing, and axe finds no
// serious or critical violation on any page. MOWT_E2E_SCREENSHOTS=<dir> keeps a picture of each page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { startDemoStripe, type DemoStripe } from '../../src/stripe/index.js';
import { createAdmin } from '../../src/teams/index.js';
import { formatMoney } from '../../web/src/pages/dashboards/format.js';
import { DESKTOP, PHONE, expectNoSeriousA11yViolations, launchBrowser, newContext, watchCspViolations } from '../helpers/browser.js';
import { FakeApi, type Role } from './support/fake-api.js';
import { FakeMetrics, mrrRows, type FakeMetricsOptions } from './support/fake-metrics.js';
import { freePort } from './support/real-app.js';
import { buildWeb, serveWeb, type StaticWeb } from './support/static-web.js';

let browser: Browser;
let web: StaticWeb;
let distDir: string;
const SHOTS = process.env.MOWT_E2E_SCREENSHOTS;

beforeAll(async () => {
  distDir = await buildWeb();
  web = await serveWeb(distDir);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
});

interface Session {
  api: FakeApi;
  metrics: FakeMetrics;
  context: BrowserContext;
  page: Page;
  csp: string[];
  errors: string[];
}

async function open(role: Role, options: Partial<FakeMetricsOptions> & { viewport?: { width: number; height: number } } = {}): Promise<Session> {
  const api = new FakeApi({ role, enrolled: true, signedIn: true });
  const metrics = new FakeMetrics({ role, ...options });
  const context = await newContext(browser, { viewport: options.viewport ?? DESKTOP, acceptDownloads: true });
  await api.install(context);
  await metrics.install(context);
  const page = await context.newPage();
  const csp = watchCspViolations(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { api, metrics, context, page, csp, errors };
}

async function check(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, name);
  if (SHOTS) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `dashboard-${name}.png`), fullPage: true });
  }
}

/** The page coordinates of a pixel of `rgb` inside the chart's plotting area (below the legend). */
async function pixelOf(page: Page, testId: string, rgb: [number, number, number]): Promise<{ x: number; y: number } | null> {
  return page.getByTestId(testId).evaluate((el, colour) => {
    const canvas = el.querySelector('canvas');
    if (!canvas) return null;
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    for (let y = Math.round(60 * scale); y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (data[i] === colour[0] && data[i + 1] === colour[1] && data[i + 2] === colour[2]) {
          // The first matching pixel is the bar's top-left corner: aim a few pixels inside it.
          const box = canvas.getBoundingClientRect();
          return { x: box.left + x / scale + 4, y: box.top + y / scale + 4 };
        }
      }
    }
    return null;
  }, rgb);
}

const PAGES = [
  ['overview', 'Overview'],
  ['mrr', 'MRR'],
  ['churn', 'Churn'],
  ['cohorts', 'Cohorts'],
  ['trials', 'Trials'],
  ['failed-payments', 'Failed payments'],
  ['cash', 'Cash & refunds'],
  ['customers', 'Customers'],
  ['plans', 'Plans'],
] as const;

describe('dashboard against the metrics API contract (fake API)', { timeout: 240_000 }, () => {
  it('renders every page with its figures for a Member, with CSV export, under the CSP and axe-clean', async () => {
    const { api, context, page, csp, errors } = await open('member');
    try {
      const rows = mrrRows();
      for (const [p, heading] of PAGES) {
        await page.goto(`${web.url}/orgs/${api.orgId}/${p}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.locator('.state-loading').first().waitFor({ state: 'detached' });
        await check(page, p);
        expect(await page.getByRole('link', { name: /Download .* as CSV/ }).count(), `${p} export`).toBeGreaterThan(0);
      }
      // Overview figures: the MRR tile is the last row's MRR in pounds, the chart is drawn.
      await page.goto(`${web.url}/orgs/${api.orgId}/overview`);
      const last = rows[rows.length - 1]!;
      await expect.poll(() => page.locator('[data-kpi="mrr"]').textContent()).toBe(`£${(last.mrr / 100).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`);
      // KPIs and the series are separate requests: wait for the chart rather than racing it.
      await page.getByTestId('mrr-chart').locator('canvas').waitFor();
      expect(await page.getByTestId('mrr-chart').locator('canvas').count()).toBe(1);
      // The chart's data table is there for screen readers, and shown on request.
      await page.getByRole('button', { name: 'Show as table' }).click();
      const table = page.getByRole('region', { name: 'MRR and movements as a table' });
      await table.getByRole('rowheader', { name: 'Nov 2026' }).waitFor();
      await check(page, 'overview-table');
      await page.getByRole('button', { name: 'Show as chart' }).click();

      // Cash: net = payments − refunds − disputes − fees, the first period's £13,000 − £45 − £120 − £425.
      await page.goto(`${web.url}/orgs/${api.orgId}/cash`);
      await expect.poll(() => page.locator('[data-cash-net]').first().textContent()).toBe('£12,410.00');

      // Cohort heatmap: a row per signup month, by customers and by MRR.
      await page.goto(`${web.url}/orgs/${api.orgId}/cohorts`);
      const heatmap = page.getByTestId('cohort-heatmap');
      await heatmap.waitFor();
      expect(await heatmap.locator('tbody tr').count()).toBe(12);
      expect(await heatmap.locator('td.heat-9').count()).toBeGreaterThan(0);
      await page.getByLabel('By MRR').check();
      await heatmap.getByRole('columnheader', { name: 'Initial MRR' }).waitFor();

      // Customers: search, sort and page; detail with timeline, subscriptions, invoices and events.
      await page.goto(`${web.url}/orgs/${api.orgId}/customers`);
      await page.getByRole('heading', { name: 'Customers (60)' }).waitFor();
      await page.getByRole('navigation', { name: 'Pages of customers' }).getByText('Page 1 of 2').waitFor();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 2 of 2').waitFor();
      await page.getByLabel('Search', { exact: true }).fill('Customer 17 ');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('heading', { name: 'Customers (1)' }).waitFor();
      await page.getByRole('link', { name: 'Customer 17 Ltd' }).click();
      await page.getByRole('heading', { level: 1, name: 'Customer 17 Ltd' }).waitFor();
      await page.getByRole('heading', { name: 'MRR over time' }).waitFor();
      await page.getByRole('rowheader', { name: 'INV-0001' }).waitFor();
      await page.getByText('customer.subscription.updated').waitFor();
      await check(page, 'customer-detail');
      expect(api.requests.some((r) => r.startsWith('POST') && r.endsWith('/audit/page-view'))).toBe(true);
      expect(csp).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('opens the customers behind a drawn movement bar and behind a KPI tile', async () => {
    const { api, metrics, context, page, csp } = await open('admin');
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/overview`);
      await page.getByTestId('mrr-chart').locator('canvas').waitFor();
      await page.waitForLoadState('networkidle');
      // Find a pixel of the churn colour (#b3261e) in the plot and click it: the drawer opens on churn.
      await page.getByTestId('mrr-chart').scrollIntoViewIfNeeded();
      const point = await pixelOf(page, 'mrr-chart', [0xb3, 0x26, 0x1e]);
      expect(point).not.toBeNull();
      await page.mouse.click(point!.x, point!.y);
      const drawer = page.getByRole('dialog');
      await drawer.getByRole('heading', { name: /^Churn · / }).waitFor();
      await drawer.getByRole('cell', { name: /Customer 2 Ltd/ }).waitFor();
      expect(metrics.requests.some((r) => r.startsWith('GET metrics/movements?') && r.includes('kind=churn'))).toBe(true);
      await check(page, 'drill-bar');
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });

      await page.getByRole('button', { name: /^New MRR/ }).click();
      await drawer.getByRole('heading', { name: 'New MRR' }).waitFor();
      await drawer.getByText(/8 movements/).waitFor();
      await drawer.getByRole('button', { name: 'Close' }).click();
      await drawer.waitFor({ state: 'hidden' });
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('saves the current filters as a named view, applies a view, and annotates the chart (Member)', async () => {
    const { api, metrics, context, page } = await open('member');
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/overview`);
      await page.getByRole('button', { name: 'Filters' }).click();
      const filters = page.getByRole('form', { name: 'Filters' });
      await filters.getByLabel(/^Pro /).check();
      await filters.getByLabel('Yearly').check();
      await filters.getByLabel('Countries').fill('gb, de');
      await filters.getByLabel('Key').fill('tier');
      await filters.getByLabel('Value').fill('gold');
      await filters.getByRole('button', { name: 'Add condition' }).click();
      await check(page, 'filters-open');
      await filters.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/plan=price_pro/);
      expect(page.url()).toContain('meta=tier%3Agold');
      await expect.poll(() => metrics.requests.some((r) => r.startsWith('GET metrics/mrr?') && r.includes('plan=price_pro') && r.includes('country=GB%2CDE') && r.includes('billingInterval=year') && r.includes('meta=tier%3Agold'))).toBe(true);

      await page.getByRole('button', { name: 'Save as view' }).click();
      await page.getByLabel('View name').fill('Gold Pro, Europe');
      await page.getByRole('button', { name: 'Save view' }).click();
      await page.waitForURL(/view=/);
      expect(metrics.views).toMatchObject([{ name: 'Gold Pro, Europe', filters: { plans: ['price_pro'], countries: ['GB', 'DE'], billingIntervals: ['year'], metadata: [{ key: 'tier', value: 'gold' }] } }]);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.getByLabel('Saved view').selectOption({ label: 'Gold Pro, Europe' });
      await page.waitForURL(/plan=price_pro/);

      // Annotations: listed, added, drawn as a mark line (checked through the list and the request).
      await page.getByText('Price change').first().waitFor();
      await page.getByLabel('Annotation', { exact: true }).fill('Launched annual plans');
      await page.getByLabel('Date', { exact: true }).fill('2026-06-15');
      await page.getByRole('button', { name: 'Add annotation' }).click();
      await page.getByRole('listitem').filter({ hasText: 'Launched annual plans' }).waitFor();
      expect(metrics.annotations.map((a) => a.label)).toEqual(['Price change', 'Launched annual plans']);
      await check(page, 'annotations');
    } finally {
      await context.close();
    }
  });

  it('downloads a CSV export with the rows of the series', async () => {
    const { api, context, page } = await open('member');
    try {
      await page.goto(`${web.url}/orgs/${api.orgId}/mrr`);
      const link = page.getByRole('link', { name: 'Download MRR series as CSV' });
      await link.waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(/mrr/);
      // Chromium does not hand intercepted (page.route) responses to its download manager, so the file is
      // read by fetching the same URL through the fake API; the real-app test below saves a real download.
      const text = await page.evaluate(async (u) => (await fetch(u)).text(), download.url());
      const lines = text.trim().split('\n');
      expect(lines.length).toBe(mrrRows().length + 1);
      expect(lines[0]?.split(',').slice(0, 5)).toEqual(['date', 'from', 'to', 'currency', 'mrr']);
      expect(new URL(download.url()).search).toMatch(/from=.*&to=.*&interval=month/);
    } finally {
      await context.close();
    }
  });

  it('gives a Viewer every page but no export, save-view or annotation controls', async () => {
    const { api, metrics, context, page, csp } = await open('viewer');
    try {
      for (const [p, heading] of PAGES) {
        await page.goto(`${web.url}/orgs/${api.orgId}/${p}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.locator('.state-loading').first().waitFor({ state: 'detached' });
        await page.waitForLoadState('networkidle');
        expect(await page.getByRole('link', { name: /as CSV/ }).count(), p).toBe(0);
      }
      await page.goto(`${web.url}/orgs/${api.orgId}/overview?plan=price_pro`);
      await page.getByRole('button', { name: 'Clear filters' }).waitFor();
      expect(await page.getByRole('button', { name: 'Save as view' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Add annotation' }).count()).toBe(0);
      await check(page, 'viewer-overview');
      expect(metrics.requests.filter((r) => r.includes('exports/'))).toEqual([]);
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone: no sideways scrolling of the page, chart and tiles stacked, drawer full width', async () => {
    const { api, context, page, csp } = await open('member', { viewport: PHONE });
    try {
      for (const p of ['overview', 'cohorts', 'customers']) {
        await page.goto(`${web.url}/orgs/${api.orgId}/${p}`);
        await page.locator('.state-loading').first().waitFor({ state: 'detached' });
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${p} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
        await check(page, `phone-${p}`);
      }
      await page.goto(`${web.url}/orgs/${api.orgId}/overview`);
      const chart = page.getByTestId('mrr-chart');
      await chart.locator('canvas').waitFor();
      const box = await chart.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(PHONE.width);
      expect(box!.height).toBeGreaterThan(150);
      await page.getByRole('button', { name: /^MRR/ }).click();
      const drawer = page.getByRole('dialog');
      await drawer.getByRole('heading', { name: 'MRR' }).waitFor();
      expect((await drawer.boundingBox())!.width).toBeGreaterThan(PHONE.width - 2);
      await check(page, 'phone-drawer');
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says what is going on when there is no data yet, a sync is running, or the API fails', async () => {
    const empty = await open('admin', { data: 'empty' });
    try {
      await empty.page.goto(`${web.url}/orgs/${empty.api.orgId}/overview`);
      await empty.page.getByRole('heading', { name: 'Connect Stripe to see your revenue overview' }).waitFor();
      await empty.page.getByText(/No Stripe data yet/).waitFor();
      await empty.page.getByRole('link', { name: 'Connect Stripe' }).waitFor();
      await check(empty.page, 'empty');
    } finally {
      await empty.context.close();
    }
    const syncing = await open('viewer', { data: 'syncing' });
    try {
      await syncing.page.goto(`${web.url}/orgs/${syncing.api.orgId}/mrr`);
      await syncing.page.getByRole('heading', { name: 'Sync in progress' }).waitFor();
      await syncing.page.getByText(/42% done/).waitFor();
      await check(syncing.page, 'syncing');
    } finally {
      await syncing.context.close();
    }
    const broken = await open('member', { broken: true });
    try {
      await broken.page.goto(`${web.url}/orgs/${broken.api.orgId}/churn`);
      await broken.page.getByRole('heading', { name: 'Churn could not be loaded' }).waitFor({ timeout: 30_000 });
      await broken.page.getByText('Something went wrong on our side').waitFor();
      await broken.page.getByRole('button', { name: 'Try again' }).waitFor();
      await check(broken.page, 'error');
    } finally {
      await broken.context.close();
    }
  });
});

// --- (b) The real Mowt with the emulator's demo business synced -----------------------------------------
// createApp (HTTPS, PGlite, every hook) + the embedded demo Stripe, as `npm start` runs it: an Admin signs
// in with 2FA; once the demo business is synced and computed, the MRR tile must equal the API's summary,
// the cohort heatmap must render, and a CSV export must download the rows of the JSON endpoint it mirrors.
describe('dashboard on the real app with the demo business synced', { timeout: 600_000 }, () => {
  let app: App;
  let demo: DemoStripe | null = null;
  let dataDir: string;
  let baseUrl: string;
  const ADMIN = { email: 'dana@example.test', password: 'Quartz-meadow-lantern-8137' };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-dash-e2e-'));
    const port = await freePort();
    baseUrl = `https://127.0.0.1:${port}`;
    const config = loadConfig({ MOWT_DATA_DIR: dataDir, PORT: String(port), HTTP_PORT: '0', HOST: '127.0.0.1', MOWT_BASE_URL: baseUrl, LOG_LEVEL: 'silent', MOWT_DEMO_EMULATOR: 'true' });
    app = await createApp(config, { logger: createLogger({ level: 'silent' }), webDist: distDir });
    await app.listen();
    await createAdmin(app.services.teams, { email: ADMIN.email, orgName: 'Demo Analytics', password: ADMIN.password });
    demo = await startDemoStripe(app.services);
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await demo?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the API’s MRR on the tile, renders the cohort heatmap, and exports the series’ rows as CSV', async () => {
    const context = await newContext(browser, { acceptDownloads: true });
    const page = await context.newPage();
    const csp = watchCspViolations(page);
    try {
      await page.goto(`${baseUrl}/sign-in`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/sign-in\/enrol/);
      await page.getByText('Can’t scan it? Enter the key by hand').click();
      const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
      await page.getByLabel('Authenticator code').fill(new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate());
      await page.getByRole('button', { name: /Turn on two-factor/ }).click();
      await page.getByLabel('I have saved my recovery codes').check();
      await page.getByRole('button', { name: 'Continue to Mowt' }).click();
      await page.waitForURL(/\/orgs\/[0-9a-f-]{36}\/overview$/);
      const orgId = page.url().match(/\/orgs\/([0-9a-f-]{36})\//)?.[1] ?? '';
      const apiBase = `${baseUrl}/api/orgs/${orgId}`;

      // Wait for the first sync and computation (the page polls the same status by itself).
      const started = Date.now();
      let status: { state: string; version: number } = { state: 'empty', version: 0 };
      while (Date.now() - started < 420_000) {
        status = (await (await page.request.get(`${apiBase}/metrics/status`)).json()) as typeof status;
        if (status.state === 'ready') break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      expect(status.state).toBe('ready');
      // The first snapshot is ready before the event poll and the catalogue recompute that follow a backfill
      // have run: let the version settle, so the tile and the summary below read the same snapshot.
      // (10 quiet seconds: longer than the 5-second debounce of a catalogue recompute)
      for (let settled = 0; settled < 5 && Date.now() - started < 420_000;) {
        await new Promise((r) => setTimeout(r, 2000));
        const next = (await (await page.request.get(`${apiBase}/metrics/status`)).json()) as typeof status;
        settled = next.version === status.version ? settled + 1 : 0;
        status = next;
      }
      console.log(`demo business synced and computed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

      // The MRR tile equals the API's summary figure for today.
      await page.goto(`${baseUrl}/orgs/${orgId}/overview`);
      const tile = page.locator('[data-kpi="mrr"]');
      await tile.waitFor({ timeout: 60_000 });
      const summary = (await (await page.request.get(`${apiBase}/metrics/summary`)).json()) as { mrr: number; currency: string };
      expect(summary.mrr).toBeGreaterThan(0);
      expect((await tile.textContent())?.trim()).toBe(formatMoney(summary.mrr, summary.currency));
      await page.getByTestId('mrr-chart').locator('canvas').waitFor();
      await check(page, 'real-overview');

      // The cohort heatmap renders, one row per signup month the API returns.
      const cohortsResponse = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/metrics/cohorts'));
      await page.goto(`${baseUrl}/orgs/${orgId}/cohorts`);
      const heatmap = page.getByTestId('cohort-heatmap');
      await heatmap.waitFor({ timeout: 60_000 });
      // The page asks for the months of its date range; the API's answer to that exact query is the truth.
      const cohortsUrl = new URL((await cohortsResponse).url());
      const cohorts = (await (await page.request.get(`${apiBase}/metrics/cohorts${cohortsUrl.search}`)).json()) as unknown[];
      expect(cohorts.length).toBeGreaterThan(0);
      expect(await heatmap.locator('tbody tr').count()).toBe(cohorts.length);
      await check(page, 'real-cohorts');

      // A CSV export downloads with the JSON endpoint's rows (same query, same order, same figures).
      await page.goto(`${baseUrl}/orgs/${orgId}/mrr`);
      const link = page.getByRole('link', { name: 'Download MRR series as CSV' });
      await link.waitFor({ timeout: 60_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(/^mowt-mrr-.*\.csv$/);
      const csv = fs.readFileSync((await download.path()) as string, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
      const query = new URL(download.url()).search;
      const rows = (await (await page.request.get(`${apiBase}/metrics/mrr${query}`)).json()) as { date: string; mrr: number }[];
      expect(csv.length).toBe(rows.length + 1);
      const header = (csv[0] ?? '').split(',');
      const dateCol = header.indexOf('date');
      const mrrCol = header.indexOf('mrr');
      expect(dateCol).toBeGreaterThanOrEqual(0);
      expect(mrrCol).toBeGreaterThanOrEqual(0);
      expect(csv.slice(1).map((l) => [l.split(',')[dateCol], Number(l.split(',')[mrrCol])])).toEqual(rows.map((r) => [r.date, r.mrr]));
      expect(csp).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
