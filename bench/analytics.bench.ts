// Analytics: (1) full recompute of the daily history of the `large` business (100,000 customers, 60 months)
// — the engine input is built in memory from the emulator's generator (syncing 1.1M invoices first would take
// far longer than the recompute) through the same version builder, coupon identification and FX table code
// the loaders use; timed is the engine + aggregation step, as in a real recompute; (2) the incremental update
// after one subscription change, on the synced demo business; (3) dashboard API latency with 20 concurrent users
// (autocannon, HTTPS, real sessions) on the demo snapshot, for every request the Overview page makes on load plus
// the summary and the daily MRR series. The load generator runs in a CHILD PROCESS (autocannon's CLI) so its CPU
// does not count against the server's event loop. BENCH_SCALE (0–1] limits the large run.
import { execFile } from 'node:child_process';
import os from 'node:os';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { Business } from '../emulator/generator/business.js';
import { accumulate, accumulator, buildFxTable, customerKey, finish, MOWT_DEFAULT, type PriceInput, type SubscriptionInput } from '../src/metrics/index.js';
import { computeCustomers } from '../src/analytics/compute.js';
import { discountFromObject, inferSubscriptionDiscounts, invoiceDiscountAmounts, couponFromObject, type DiscountObservation } from '../src/analytics/discounts.js';
import { buildFxRates, type ConversionRow } from '../src/analytics/fx-rates.js';
import { priceFromObject, type CustomerRecord, type OrgData } from '../src/analytics/load.js';
import { asStatus, buildSubscription } from '../src/analytics/versions.js';
import { recomputeCustomerSnapshot } from '../src/analytics/materialise.js';
import { startAnalyticsApp } from '../src/analytics/test-support.js';
import { kpis, mrrSeries, summary } from '../src/analytics/queries.js';
import { withOrg } from '../src/db/tenant.js';

type Obj = Record<string, unknown>;
const NOW = Math.floor(new Date('2026-11-01T12:00:00Z').getTime() / 1000);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

function largeInput(scale: number): { data: OrgData; customers: number } {
  const business = new Business({ size: 'large', seed: 1, now: NOW, accountId: 'acct_large', accountName: 'Large', eventRetentionDays: 30 });
  const prices = new Map<string, PriceInput>();
  for (const p of business.prices()) {
    const price = priceFromObject({ ...p, product_id: typeof p['product'] === 'string' ? p['product'] : null } as Obj);
    prices.set(price.id, price);
  }
  const coupons = new Map(business.coupons().map((c) => [String(c['id']), couponFromObject(c as Obj)]).filter((x): x is [string, NonNullable<ReturnType<typeof couponFromObject>>] => x[1] !== null));
  const count = Math.max(1, Math.floor(business.customerCount * scale));
  const customers: CustomerRecord[] = [];
  const subscriptions: SubscriptionInput[] = [];
  const current: OrgData['current'] = new Map();
  const conversions: ConversionRow[] = [];
  for (let i = 0; i < count; i++) {
    const b = business.builder(i);
    const f = business.facts(i);
    const c = b.customer();
    const discount = discountFromObject(c['discount'], coupons);
    const rec: CustomerRecord = { key: customerKey('acct_large', String(c['id'])), id: String(c['id']), connectionId: 'bench', accountId: 'acct_large', livemode: true, created: Number(c['created']) };
    if (discount) rec.discounts = [discount];
    customers.push(rec);
    const invoices = f.invoices.map((inv) => b.invoice(inv.n));
    for (const sf of f.subs) {
      const s = b.subscription(sf.n);
      const subInvoices = invoices.filter((inv) => ((inv['parent'] as Obj)['subscription_details'] as Obj)['subscription'] === s['id']);
      const lines = (inv: Obj) => ((inv['lines'] as Obj)['data'] as Obj[]).map((l) => ({
        priceId: String(((l['pricing'] as Obj)['price_details'] as Obj)['price']), quantity: Number(l['quantity']), proration: false,
        periodStart: Number((l['period'] as Obj)['start']), periodEnd: Number((l['period'] as Obj)['end']),
      }));
      const obs: DiscountObservation[] = [];
      for (const inv of subInvoices) {
        const ls = lines(inv);
        for (const d of invoiceDiscountAmounts(inv)) obs.push({ discountId: d.discountId, amount: d.amount, subtotal: Number(inv['subtotal']), currency: String(inv['currency']), periodStart: ls[0]?.periodStart ?? 0, periodEnd: ls[0]?.periodEnd ?? 0 });
      }
      const ids = ((s['discounts'] ?? []) as string[]).filter((d) => d !== discount?.id);
      const firstPaid = subInvoices.filter((inv) => Number(inv['subtotal']) > 0).map((inv) => lines(inv)[0]?.periodStart ?? Infinity).sort((x, y) => x - y)[0] ?? null;
      const items = ((s['items'] as Obj)['data'] as Obj[]).map((it) => ({ priceId: String((it['price'] as Obj)['id']), quantity: Number(it['quantity']), currentPeriodEnd: Number(it['current_period_end']) }));
      const pause = s['pause_collection'] as Obj | null;
      const built = buildSubscription({
        id: String(s['id']), customerId: String(c['id']), accountId: 'acct_large', currency: String(s['currency']).toUpperCase(), livemode: true, status: asStatus(s['status']),
        startDate: Number(s['start_date']), created: Number(s['created']), trialStart: (s['trial_start'] as number | null) ?? null, trialEnd: (s['trial_end'] as number | null) ?? null,
        cancelAtPeriodEnd: s['cancel_at_period_end'] === true, cancelAt: (s['cancel_at'] as number | null) ?? null, canceledAt: (s['canceled_at'] as number | null) ?? null,
        endedAt: (s['ended_at'] as number | null) ?? null, paused: pause !== null, pauseResumesAt: (pause?.['resumes_at'] as number | null) ?? null, eventCreated: null,
        metadata: {}, items, discountIds: ids,
      }, subInvoices.map((inv) => ({ id: String(inv['id']), status: String(inv['status']), subtotal: Number(inv['subtotal']), lines: lines(inv) })), [], {
        prices, discounts: ids.length ? inferSubscriptionDiscounts(ids, obs, [...coupons.values()], { startDate: Number(s['start_date']), firstPaidPeriodStart: firstPaid }) : [], warn: () => undefined,
      });
      current.set(`acct_large/${String(s['id'])}`, { status: String(s['status']), priceIds: items.map((x) => x.priceId), endedAt: (s['ended_at'] as number | null) ?? null });
      if (built) subscriptions.push(built);
    }
    for (const t of f.txns) if (t.exchangeRate !== null) conversions.push({ id: `txn_${i}_${t.n}`, currency: 'gbp', sourceCurrency: f.currency, exchangeRate: t.exchangeRate, created: t.created });
  }
  return { data: { customers, subscriptions, current, invoices: [], cash: [], conversions, plans: new Map(), warnings: [] }, customers: count };
}

export async function run(): Promise<void> {
  // (1) full recompute of the large business
  const scale = Math.min(1, Math.max(0.001, Number(process.env['BENCH_SCALE'] ?? '1')));
  let t = performance.now();
  const { data, customers } = largeInput(scale);
  const buildS = (performance.now() - t) / 1000;
  t = performance.now();
  const fx = buildFxTable(buildFxRates(data.conversions, 'GBP', 'Europe/London').rates, 'GBP');
  let from = '2026-11-01';
  for (const s of data.subscriptions) {
    const d = new Date((s.versions[0]?.validFrom ?? NOW) * 1000).toISOString().slice(0, 10);
    if (d < from) from = d;
  }
  const range = { from, to: '2026-11-08' };
  const result = computeCustomers(data, MOWT_DEFAULT, fx, range, '2026-11-01');
  const acc = accumulator('GBP', range.from, range.to);
  for (const c of result.customers) accumulate(acc, c.series, 1);
  const agg = finish(acc);
  const computeS = (performance.now() - t) / 1000;
  const last = agg.days.find((d) => d.date === '2026-11-01');
  console.log(`full recompute, large business (${customers} customers${scale < 1 ? `, BENCH_SCALE ${scale}` : ''}, ${agg.days.length} days, input built in memory from the generator in ${buildS.toFixed(1)} s):`);
  console.log(`  engine + aggregation ${computeS.toFixed(1)} s = ${(customers / computeS).toFixed(0)} customers/s; MRR on 2026-11-01 ${last?.mrr} from ${last?.payingCustomers} paying customers`);
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  // (2) and (3) on the synced demo business
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  const env = await startAnalyticsApp('postgres', {}, { PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1' }, {
    policy: { read: { ip: { points: 1_000_000, windowS: 60 }, subject: { points: 1_000_000, windowS: 60 } } },
  });
  try {
    const deps = { db: env.t.db, crypto: env.app.services.crypto, clock: () => new Date('2026-11-01T12:00:00Z') };
    const subs = await withOrg(env.t.db, env.org.id, (tx) => tx.selectFrom('stripe_subscriptions').select(['connection_id', 'customer_id', 'id']).where('status', '=', 'active').limit(30).execute());
    const times: number[] = [];
    for (const s of subs) {
      const r = await recomputeCustomerSnapshot(deps, env.org.id, { connectionId: s.connection_id, customerId: String(s.customer_id) });
      times.push(r.ms);
    }
    const p50 = pct(times, 50);
    console.log(`incremental update of one customer after a subscription change (demo business, PostgreSQL, ${times.length} customers): p50 ${p50.toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms — goal < 50 ms: ${(p50 / 50).toFixed(2)}× the goal`);

    // the cost of a miss (what the first viewer after a change pays): the query functions without the cache
    const uncached = { ...env.app.services.analytics.deps, responses: undefined };
    const range = { from: '2025-11-02', to: '2026-11-01' };
    for (const [label, fn] of [
      ['summary', () => summary(uncached, env.org.id, {})],
      ['kpis (12 months)', () => kpis(uncached, env.org.id, range)],
      ['mrr (12 months by month)', () => mrrSeries(uncached, env.org.id, { ...range, interval: 'month' })],
      ['mrr (12 months by day)', () => mrrSeries(uncached, env.org.id, { ...range, interval: 'day' })],
    ] as const) {
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      console.log(`uncached ${label}, one at a time: p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms`);
    }

    const { httpsPort } = await env.app.listen();
    const cookie = [...env.viewer.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
    const run = promisify(execFile);
    // what the Overview page requests on load (web/src/pages/dashboards: OverviewPage, DashboardFrame/DataStatus,
    // FilterBar) with its default state (last 12 months by month), then the summary and the daily series
    const overview = [
      '/metrics/status', '/views', '/metrics/plans', `/metrics/kpis?from=${range.from}&to=${range.to}`,
      `/metrics/mrr?from=${range.from}&to=${range.to}&interval=month`, `/annotations?from=${range.from}&to=${range.to}`,
    ];
    const rows: string[] = [];
    const cannon = (path: string, seconds: number) => run(process.execPath, [cli, '-c', '20', '-d', String(seconds), '-p', '1', '-j', '-H', `cookie=${cookie}`, '-H', 'origin=https://mowt.test',
      `https://127.0.0.1:${httpsPort}/api/orgs/${env.org.id}${path}`], { env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0' }, maxBuffer: 16 * 1024 * 1024 });
    // '' is GET /api/orgs/:orgId (the organisation, not analytics): the floor every route pays (TLS, session,
    // membership check, rate limit) under the same load
    for (const path of ['', ...overview, '/metrics/summary', '/metrics/mrr?interval=day']) {
      await cannon(path, 2); // warm-up: connections, JIT, first (cache-filling) request
      const load = os.loadavg()[0]?.toFixed(2);
      const { stdout } = await cannon(path, 10);
      const res = JSON.parse(stdout) as { requests: { average: number }; latency: Record<string, number>; non2xx: number; errors: number };
      const p95 = res.latency['p97_5'] ?? res.latency['p90'] ?? 0;
      console.log(`GET ${path || '(the organisation)'}: ${res.requests.average.toFixed(0)} req/s, p50 ${res.latency['p50']} ms, p95 ${p95} ms (p97.5), p99 ${res.latency['p99']} ms, errors ${res.non2xx + res.errors}, load ${load} — goal p95 < 100 ms: ${(p95 / 100).toFixed(2)}× the goal`);
      rows.push(`| \`${path || '(the organisation)'}\` | ${res.requests.average.toFixed(0)} | ${res.latency['p50']} | ${p95} | ${res.latency['p99']} | ${res.non2xx + res.errors} | ${load} |`);
    }
    console.log('\n| GET /api/orgs/:orgId… (20 users, 10 s) | req/s | p50 ms | p95 ms (p97.5) | p99 ms | errors | load |\n|---|--:|--:|--:|--:|--:|--:|');
    for (const r of rows) console.log(r);
    const stats = env.app.services.analytics.deps.responses?.stats();
    if (stats) console.log(`response cache: ${stats.hits} hits, ${stats.misses} misses, ${stats.entries} entries, ${(stats.bytes / 1024).toFixed(0)} KiB`);
  } finally {
    await env.dispose();
  }
}
