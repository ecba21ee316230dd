// The metrics API contract (docs/metrics-api.md) plus saved views and annotations, answered in the browser
// with page.route, for the dashboard tests of dashboard.e2e.test.ts. Figures are small and consistent
// (every MRR row's start + movements = end) so the pages can be checked against them. Installed after
// FakeApi, whose routes it takes precedence over.
import type { BrowserContext, Route } from 'playwright-core';
import type { Role } from './fake-api.js';

const CSRF = 'csrf-test-token';

function json(route: Route, body: unknown, status = 200) {
  return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
}
function problem(route: Route, status: number, detail: string) {
  return route.fulfill({ status, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: `Error ${status}`, status, detail }) });
}
const ratio = (numerator: number, denominator: number) => ({ numerator, denominator, value: denominator === 0 ? null : numerator / denominator });

export interface FakeMetricsOptions {
  role: Role;
  /** 'empty' + no connections: the "connect Stripe" state; 'syncing': a first sync under way. */
  data?: 'ready' | 'empty' | 'syncing';
  /** Answer every metrics call with a 500 (the error state). */
  broken?: boolean;
}

const MONTHS = ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'];

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export const CUSTOMERS = Array.from({ length: 60 }, (_, i) => ({
  id: `cus_${String(i + 1).padStart(4, '0')}`,
  accountId: 'acct_demo',
  name: `Customer ${i + 1} Ltd`,
  email: `billing${i + 1}@example.test`,
  country: ['GB', 'DE', 'US', 'FR'][i % 4] as string,
  status: (i % 10 === 9 ? 'churned' : 'active') as 'active' | 'churned',
  mrr: i % 10 === 9 ? 0 : 2900 + (i % 5) * 1000,
  native: {},
  currencies: ['GBP'],
  plans: [i % 2 ? 'price_pro' : 'price_starter'],
  billingIntervals: ['month'],
  firstPaidDate: `${MONTHS[i % 12]}-03`,
  createdAt: `${MONTHS[i % 12]}-01T10:00:00.000Z`,
}));

/** Month rows: new 50,000 + expansion 8,000 + reactivation 2,000 − contraction 3,000 − churn 9,000 a month. */
export function mrrRows() {
  let mrr = 1_000_000;
  return MONTHS.map((month) => {
    const start = mrr;
    const m = { new: 50000, expansion: 8000, contraction: -3000, churn: -9000, reactivation: 2000, currencyAdjustment: 0 };
    mrr = start + m.new + m.expansion + m.contraction + m.churn + m.reactivation;
    return { date: `${month}-01`, from: `${month}-01`, to: lastDay(month), currency: 'GBP', mrr, startMrr: start, ...m, customers: 300 + MONTHS.indexOf(month), newCustomers: 20, churnedCustomers: 16, reactivatedCustomers: 2 };
  });
}

export class FakeMetrics {
  views: { id: string; name: string; filters: Record<string, unknown>; createdBy: string; createdAt: string; updatedAt: string }[] = [];
  annotations = [{ id: 'a0000000-0000-4000-8000-000000000001', date: '2026-03-10', label: 'Price change', note: '', createdBy: null }];
  /** Every metrics/views/exports request seen, with its query. */
  readonly requests: string[] = [];
  private next = 1;

  constructor(private readonly opts: FakeMetricsOptions) {}

  async install(context: BrowserContext): Promise<void> {
    await context.route(/\/api\/orgs\/[^/]+\/(metrics|customers|views|annotations|exports|stripe\/connections)(\/|\?|$)/, (route) => this.handle(route));
  }

  private async handle(route: Route): Promise<void> {
    const req = route.request();
    const url = new URL(req.url());
    const method = req.method();
    const rest = url.pathname.replace(/^\/api\/orgs\/[^/]+\//, '');
    this.requests.push(`${method} ${rest}${url.search}`);
    if (method !== 'GET' && req.headers()['x-csrf-token'] !== CSRF) return problem(route, 403, 'Invalid csrf token');
    const writer = this.opts.role !== 'viewer';
    const state = this.opts.data ?? 'ready';

    if (rest === 'stripe/connections') {
      if (state === 'empty') return json(route, { connections: [] });
      return json(route, {
        connections: [{ id: 'c1', label: 'Demo business', isDemo: true, status: 'active', sync: { phase: state === 'syncing' ? 'backfilling' : 'live', progress: 0.42, etaSeconds: 180, lastError: null } }],
      });
    }
    if (this.opts.broken && rest.startsWith('metrics/') && rest !== 'metrics/status') return problem(route, 500, 'boom');
    if (rest === 'metrics/status') {
      return json(route, {
        state: state === 'ready' ? 'ready' : 'empty', version: 7, currency: 'GBP', timezone: 'Europe/London', from: '2025-12-01', to: '2026-11-25',
        computedAt: '2026-11-25T12:00:00.000Z', lastIncrementalAt: null, lastError: null, warnings: [],
      });
    }
    const rows = mrrRows();
    const last = rows[rows.length - 1]!;
    if (rest === 'metrics/summary') return json(route, { date: '2026-11-25', currency: 'GBP', mrr: last.mrr, arr: last.mrr * 12, customers: last.customers, arpa: Math.round(last.mrr / last.customers) });
    if (rest === 'metrics/kpis') {
      const prev = rows[rows.length - 2]!;
      const k = (value: number, previous: number) => ({ value, previous, change: value - previous });
      const r = (a: number, b: number, c: number, d: number) => ({ value: ratio(a, b), previous: ratio(c, d), change: a / b - c / d });
      return json(route, {
        currency: 'GBP', from: url.searchParams.get('from'), to: url.searchParams.get('to'), previousFrom: '2024-11-16', previousTo: '2025-11-15',
        kpis: {
          mrr: k(last.mrr, prev.mrr), arr: k(last.mrr * 12, prev.mrr * 12), customers: k(last.customers, prev.customers), arpa: k(3846, 3750), ltv: k(76920, 75000),
          newMrr: k(600000, 500000), churnedMrr: k(-144000, -120000), netNewMrr: k(576000, 400000), newCustomers: k(240, 200), churnedCustomers: k(192, 150),
          refunds: k(4500, 3000), netCash: k(1100000, 1050000), recoveredRevenue: k(8000, 6000),
          customerChurnRate: r(16, 320, 12, 300), grossMrrChurnRate: r(12000, 1200000, 9000, 1100000), netMrrChurnRate: r(2000, 1200000, 1000, 1100000),
          nrr: r(1190000, 1200000, 1090000, 1100000), grr: r(1188000, 1200000, 1091000, 1100000), trialConversion: r(7, 12, 5, 10), failedPaymentRate: r(21, 300, 18, 290),
        },
      });
    }
    if (rest === 'metrics/mrr') return json(route, rows);
    if (rest === 'metrics/churn') {
      return json(route, rows.map((x) => ({
        date: x.date, from: x.from, to: x.to, currency: 'GBP', startMrr: x.startMrr, startCustomers: x.customers - 4, churnedCustomers: 16, churnedMrr: x.churn, contractionMrr: x.contraction,
        expansionMrr: x.expansion, reactivationMrr: x.reactivation, customerChurnRate: ratio(16, x.customers - 4), grossMrrChurnRate: ratio(12000, x.startMrr),
        netMrrChurnRate: ratio(2000, x.startMrr), nrr: ratio(x.startMrr - 2000, x.startMrr), grr: ratio(x.startMrr - 12000, x.startMrr),
      })));
    }
    if (rest === 'metrics/cohorts') {
      return json(route, MONTHS.map((month, i) => ({
        month, currency: 'GBP', size: 25, initialMrr: 98000,
        cells: Array.from({ length: 12 - i }, (_, o) => ({ offset: o, month: MONTHS[i + o], customers: 25 - o, mrr: 98000 - o * 2000, customerRetention: ratio(25 - o, 25), mrrRetention: ratio(98000 - o * 2000, 98000) })),
      })));
    }
    if (rest === 'metrics/trials') return json(route, rows.map((x) => ({ date: x.date, from: x.from, to: x.to, trials: 12, converted: 7, rate: ratio(7, 12) })));
    if (rest === 'metrics/failed-payments') return json(route, rows.map((x) => ({ date: x.date, from: x.from, to: x.to, currency: 'GBP', attempted: 300, failed: 21, rate: ratio(21, 300), recoveredInvoices: 9, recoveredRevenue: 36000 })));
    if (rest === 'metrics/cash') {
      return json(route, rows.map((x, i) => ({ date: x.date, from: x.from, to: x.to, currency: 'GBP', charges: 1300000 + i * 1000, refunds: 4500, disputes: i % 3 === 0 ? 12000 : 0, fees: 42500, net: 1300000 + i * 1000 - 4500 - (i % 3 === 0 ? 12000 : 0) - 42500 })));
    }
    if (rest === 'metrics/plans') {
      return json(route, [
        { priceId: 'price_pro', productId: 'prod_pro', productName: 'Pro', nickname: null, currency: 'GBP', interval: 'month', intervalCount: 1, subscriptions: 120, customers: 118, mrr: 700000, nativeMrr: 700000, share: ratio(700000, last.mrr) },
        { priceId: 'price_starter', productId: 'prod_starter', productName: 'Starter', nickname: null, currency: 'USD', interval: 'year', intervalCount: 1, subscriptions: 200, customers: 190, mrr: last.mrr - 700000, nativeMrr: 700000, share: ratio(last.mrr - 700000, last.mrr) },
      ]);
    }
    if (rest === 'metrics/movements') {
      const kinds = (url.searchParams.get('kind') ?? '').split(',').filter(Boolean);
      const items = CUSTOMERS.slice(0, 30).map((c, i) => {
        const kind = (['new', 'churn', 'expansion', 'contraction'] as const)[i % 4] ?? 'new';
        const amount = kind === 'new' ? 2900 : kind === 'churn' ? -4900 : kind === 'expansion' ? 1000 : -500;
        return { date: url.searchParams.get('from'), customerId: c.id, accountId: c.accountId, name: c.name, email: c.email, kind, amount, mrr: kind === 'churn' ? 0 : 4900, native: {} };
      }).filter((m) => kinds.length === 0 || kinds.includes(m.kind));
      const page = Number(url.searchParams.get('page') ?? '1');
      const pageSize = Number(url.searchParams.get('pageSize') ?? '50');
      return json(route, { currency: 'GBP', total: items.length, totalAmount: items.reduce((s, m) => s + m.amount, 0), page, pageSize, items: items.slice((page - 1) * pageSize, page * pageSize) });
    }
    if (rest === 'customers') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const sort = url.searchParams.get('sort') ?? 'mrr';
      const order = url.searchParams.get('order') ?? (sort === 'mrr' ? 'desc' : 'asc');
      const page = Number(url.searchParams.get('page') ?? '1');
      const pageSize = Number(url.searchParams.get('pageSize') ?? '50');
      const hit = CUSTOMERS.filter((c) => !q || `${c.name} ${c.email} ${c.id}`.toLowerCase().includes(q));
      const key = sort as keyof (typeof CUSTOMERS)[number];
      hit.sort((a, b) => String(a[key]).localeCompare(String(b[key]), 'en', { numeric: true }) * (order === 'asc' ? 1 : -1));
      return json(route, { currency: 'GBP', total: hit.length, page, pageSize, items: hit.slice((page - 1) * pageSize, page * pageSize) });
    }
    const customer = rest.match(/^customers\/([^/]+)$/);
    if (customer) {
      const c = CUSTOMERS.find((x) => x.id === decodeURIComponent(customer[1] ?? ''));
      if (!c) return problem(route, 404, 'no such customer');
      const z = { new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, currencyAdjustment: 0 };
      return json(route, {
        customer: { ...c, metadata: { tier: 'gold' } }, currency: 'GBP',
        timeline: [
          { date: '2026-01-03', mrr: 2900, native: {}, kind: 'new', ...z, new: 2900 },
          { date: '2026-05-03', mrr: 4900, native: {}, kind: 'expansion', ...z, expansion: 2000 },
        ],
        subscriptions: [{ id: 'sub_1', status: 'active', currency: 'gbp', mrr: 4900, nativeMrr: 4900, startDate: '2026-01-03T00:00:00.000Z', trialEnd: null, cancelAtPeriodEnd: false, cancelAt: null, canceledAt: null, endedAt: null, currentPeriodEnd: '2026-12-03T00:00:00.000Z',
          items: [{ priceId: 'price_pro', productId: 'prod_pro', productName: 'Pro', quantity: 1, interval: 'month', intervalCount: 1, unitAmount: 4900, currency: 'gbp' }] }],
        invoices: [{ id: 'in_1', number: 'INV-0001', status: 'paid', currency: 'gbp', amountDue: 4900, amountPaid: 4900, total: 5880, created: '2026-11-03T00:00:00.000Z', periodStart: null, periodEnd: null, attemptCount: 1 }],
        events: [{ id: 'evt_1', type: 'customer.subscription.updated', created: '2026-05-03T09:00:00.000Z' }],
      });
    }
    if (rest.startsWith('exports/')) {
      if (!writer) return problem(route, 403, 'your role (viewer) does not allow this (exports.create)');
      const header = 'date,from,to,currency,mrr,startMrr,new,expansion,contraction,churn,reactivation,currencyAdjustment';
      const body = [header, ...rows.map((x) => [x.date, x.from, x.to, x.currency, x.mrr, x.startMrr, x.new, x.expansion, x.contraction, x.churn, x.reactivation, x.currencyAdjustment].join(','))].join('\n');
      return route.fulfill({ status: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="mowt-${rest.slice(8)}.csv"` }, body });
    }
    if (rest === 'views' && method === 'GET') return json(route, { views: this.views });
    if (rest === 'views' && method === 'POST') {
      if (!writer) return problem(route, 403, 'your role (viewer) does not allow this (views.manage)');
      const body = JSON.parse(req.postData() ?? '{}') as { name: string; filters: Record<string, unknown> };
      const view = { id: `00000000-0000-4000-8000-${String(this.next++).padStart(12, '0')}`, name: body.name, filters: body.filters, createdBy: 'me', createdAt: '2026-11-25T12:00:00Z', updatedAt: '2026-11-25T12:00:00Z' };
      this.views.push(view);
      return json(route, { view }, 201);
    }
    const view = rest.match(/^views\/([^/]+)$/);
    if (view && method === 'DELETE') {
      this.views = this.views.filter((v) => v.id !== view[1]);
      return route.fulfill({ status: 204 });
    }
    if (rest === 'annotations' && method === 'GET') return json(route, { annotations: this.annotations });
    if (rest === 'annotations' && method === 'POST') {
      if (!writer) return problem(route, 403, 'your role (viewer) does not allow this (annotations.manage)');
      const body = JSON.parse(req.postData() ?? '{}') as { date: string; label: string };
      const a = { id: `a0000000-0000-4000-8000-${String(this.next++).padStart(12, '0')}`, date: body.date, label: body.label, note: '', createdBy: null };
      this.annotations.push(a);
      return json(route, { annotation: a }, 201);
    }
    const annotation = rest.match(/^annotations\/([^/]+)$/);
    if (annotation && method === 'DELETE') {
      this.annotations = this.annotations.filter((a) => a.id !== annotation[1]);
      return route.fulfill({ status: 204 });
    }
    return problem(route, 404, `No fake route for ${method} ${rest}`);
  }
}
