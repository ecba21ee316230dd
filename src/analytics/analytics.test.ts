// End to end on PGlite and PostgreSQL: the emulator's demo business connected through the real route,
// synced, materialised, and read back through the HTTP API. The cross-check computes current MRR from the
// synced rows with code written here (not the engine) and must equal /metrics/summary to the penny.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import { Type, type TSchema } from 'typebox';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import {
  CashRowSchema, ChurnRowSchema, CohortSchema, CustomerDetailSchema, CustomerPageSchema, FailedPaymentRowSchema, KpisViewSchema, MovementPageSchema, MrrRowSchema, PlanRowSchema,
  StatusViewSchema, SummaryViewSchema, TrialRowSchema,
} from './api-schemas.js';
import { ANALYTICS_NOW, startAnalyticsApp, type AnalyticsApp } from './test-support.js';

type Row = Record<string, unknown>;
const MOVES = ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'currencyAdjustment'] as const;

/** Minimal RFC 4180 parser (quotes, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

// ------------------------------------------------------------------ independent MRR (no engine code)
interface Frac { n: bigint; d: bigint }
const F = (n: bigint | number, d: bigint | number = 1n): Frac => ({ n: BigInt(n), d: BigInt(d) });
const fadd = (a: Frac, b: Frac): Frac => F(a.n * b.d + b.n * a.d, a.d * b.d);
const fmul = (a: Frac, b: Frac): Frac => F(a.n * b.n, a.d * b.d);
function dec(s: string | number): Frac {
  const str = String(s);
  const [i, f = ''] = str.split('.');
  return F(BigInt(`${i}${f}`), 10n ** BigInt(f.length));
}
function halfEven(x: Frac): bigint {
  let { n, d } = x;
  if (d < 0n) { n = -n; d = -d; }
  const q = n / d;
  let r = n % d;
  let fl = q;
  if (r < 0n) { fl = q - 1n; r += d; }
  const twice = 2n * r;
  if (twice < d) return fl;
  if (twice > d) return fl + 1n;
  return fl % 2n === 0n ? fl : fl + 1n;
}
function addMonthsUtc(t: number, months: number): number {
  const d = new Date(t * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
}
const secs = (v: unknown): number | null => (v === null || v === undefined ? null : Math.floor(new Date(v as string).getTime() / 1000));

async function independentMrr(env: AnalyticsApp, t: number, today: string): Promise<number> {
  const orgId = env.org.id;
  const crypto = env.app.services.crypto;
  return withOrg(env.t.db, orgId, async (tx) => {
    const dec1 = async (table: string, id: string, v: unknown): Promise<Row> =>
      typeof v === 'string' ? JSON.parse(await crypto.decryptField(orgId, { table, column: 'payload_encrypted', rowId: id }, v, tx)) as Row : {};
    const q = async (text: ReturnType<typeof sql>) => (await text.execute(tx)).rows as Row[];
    const prices = new Map<string, Row>();
    for (const p of await q(sql`select id, currency, unit_amount, unit_amount_decimal::text as uad, billing_scheme, tiers_mode, recurring_interval, recurring_interval_count, usage_type, payload_encrypted from stripe_prices`)) {
      prices.set(String(p['id']), { ...p, payload: await dec1('stripe_prices', String(p['id']), p['payload_encrypted']) });
    }
    const coupons = await q(sql`select id, percent_off::text as percent_off, amount_off, currency, duration, duration_in_months from stripe_coupons order by id`);
    const customers = new Map<string, Row>();
    for (const c of await q(sql`select id, payload_encrypted from stripe_customers`)) customers.set(String(c['id']), await dec1('stripe_customers', String(c['id']), c['payload_encrypted']));
    // FX: per currency, the latest day (org calendar, London) on or before today with a converted transaction, its earliest one
    const fx = new Map<string, { day: string; created: number; id: string; rate: string }>();
    for (const b of await q(sql`select bt.id, bt.created, bt.exchange_rate::text as rate, ch.currency from stripe_balance_transactions bt
        join stripe_charges ch on ch.id = bt.source_id where bt.exchange_rate is not null`)) {
      const created = secs(b['created']) as number;
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(created * 1000));
      if (day > today) continue;
      const c = String(b['currency']).toUpperCase();
      const seen = fx.get(c);
      if (!seen || day > seen.day || (day === seen.day && (created < seen.created || (created === seen.created && String(b['id']) < seen.id)))) fx.set(c, { day, created, id: String(b['id']), rate: String(b['rate']) });
    }
    const perCustomer = new Map<string, Frac>();
    const subs = await q(sql`select id, customer_id, status, currency, start_date, trial_end, cancel_at, cancel_at_period_end, ended_at, pause_behavior,
        pause_resumes_at, payload_encrypted from stripe_subscriptions where status in ('active', 'past_due')`);
    for (const s of subs) {
      if (s['trial_end'] && t < (secs(s['trial_end']) as number)) continue;
      if (s['pause_behavior'] && (!s['pause_resumes_at'] || t < (secs(s['pause_resumes_at']) as number))) continue;
      if (s['ended_at'] && t >= (secs(s['ended_at']) as number)) continue;
      if (s['cancel_at'] && t >= (secs(s['cancel_at']) as number)) continue;
      const items = await q(sql`select price_id, quantity, current_period_end from stripe_subscription_items where subscription_id = ${s['id']}`);
      if (s['cancel_at_period_end'] === true && items[0]?.['current_period_end'] && t >= (secs(items[0]['current_period_end']) as number)) continue;
      let gross = F(0);
      let interval: { unit: string; count: number } | null = null;
      for (const it of items) {
        const p = prices.get(String(it['price_id']));
        if (!p || !p['recurring_interval'] || p['usage_type'] === 'metered') continue;
        const qty = Number(it['quantity'] ?? 1);
        // A subscription in another currency than its price is billed from the price's currency_options.
        const option = p['currency'] === s['currency'] ? null : (((p['payload'] as Row)['currency_options'] ?? {}) as Record<string, Row>)[String(s['currency'])];
        if (p['currency'] !== s['currency']) expect(option).toBeDefined();
        let amount: Frac;
        if (p['billing_scheme'] === 'tiered') {
          const tiers = ((option ?? (p['payload'] as Row))['tiers'] ?? []) as Row[];
          expect(p['tiers_mode']).toBe('volume');
          const tier = tiers.find((x) => x['up_to'] === null || x['up_to'] === 'inf' || qty <= Number(x['up_to'])) as Row;
          amount = F(BigInt(Number(tier['unit_amount'] ?? 0)) * BigInt(qty) + BigInt(Number(tier['flat_amount'] ?? 0)));
        } else if (option) amount = fmul(F(Number(option['unit_amount'])), F(qty));
        else amount = fmul(p['uad'] !== null ? dec(String(p['uad'])) : F(Number(p['unit_amount'])), F(qty));
        const count = Number(p['recurring_interval_count'] ?? 1);
        const unit = String(p['recurring_interval']);
        interval ??= { unit, count };
        const factor = unit === 'month' ? F(1, count) : unit === 'year' ? F(1, 12 * count) : unit === 'week' ? F(52, 12 * count) : F(365, 12 * count);
        gross = fadd(gross, fmul(amount, factor));
      }
      if (!interval) continue;
      const factorOf = (i: { unit: string; count: number }) => (i.unit === 'month' ? F(1, i.count) : i.unit === 'year' ? F(1, 12 * i.count) : i.unit === 'week' ? F(52, 12 * i.count) : F(365, 12 * i.count));
      // discounts: the subscription's own (coupon identified from the invoices that applied it), else the customer's
      const payload = await dec1('stripe_subscriptions', String(s['id']), s['payload_encrypted']);
      const cust = customers.get(String(s['customer_id'])) ?? {};
      const custDiscount = (cust['discount'] ?? null) as Row | null;
      const custDiscountId = custDiscount ? String(custDiscount['id']) : null;
      const active: { percent?: number; amountOff?: number }[] = [];
      const subIds = ((payload['discounts'] ?? []) as unknown[]).map(String).filter((d) => d !== custDiscountId);
      if (subIds.length > 0) {
        const invoices = await q(sql`select i.id, i.subtotal, i.payload_encrypted, (select min(period_start) from stripe_invoice_lines l where l.invoice_id = i.id) as ps,
            (select max(period_end) from stripe_invoice_lines l where l.invoice_id = i.id) as pe from stripe_invoices i where i.subscription_id = ${s['id']} order by ps`);
        const firstPaid = invoices.find((i) => Number(i['subtotal']) > 0);
        for (const id of subIds) {
          const obs: { amount: number; subtotal: number; ps: number; pe: number }[] = [];
          for (const inv of invoices) {
            const ip = await dec1('stripe_invoices', String(inv['id']), inv['payload_encrypted']);
            for (const d of (ip['total_discount_amounts'] ?? []) as Row[]) {
              if (d['discount'] === id) obs.push({ amount: Number(d['amount']), subtotal: Number(inv['subtotal']), ps: secs(inv['ps']) as number, pe: secs(inv['pe']) as number });
            }
          }
          if (obs.length === 0) continue;
          const coupon = coupons.find((c) => obs.every((o) => (c['percent_off'] !== null
            ? Math.abs((o.subtotal * Number(c['percent_off'])) / 100 - o.amount) <= 0.5
            : String(c['currency']).toLowerCase() === String(s['currency']).toLowerCase() && Math.min(o.subtotal, Number(c['amount_off'])) === o.amount)));
          if (!coupon) continue;
          const first = obs[0] as (typeof obs)[number];
          const startDate = secs(s['start_date']) as number;
          const start = firstPaid && secs(firstPaid['ps']) === first.ps ? Math.min(startDate, first.ps) : first.ps;
          const on = coupon['duration'] === 'forever' ? true
            : coupon['duration'] === 'repeating' ? t >= start && t < addMonthsUtc(start, Number(coupon['duration_in_months']))
            : t >= first.ps && t < first.pe;
          if (on) active.push(coupon['percent_off'] !== null ? { percent: Number(coupon['percent_off']) } : { amountOff: Number(coupon['amount_off']) });
        }
      }
      if (active.length === 0 && custDiscount) {
        const coupon = ((custDiscount['source'] as Row | undefined)?.['coupon'] ?? custDiscount['coupon']) as Row;
        const start = Number(custDiscount['start']);
        const end = custDiscount['end'] === null || custDiscount['end'] === undefined ? null : Number(custDiscount['end']);
        const derivedEnd = end ?? (coupon['duration'] === 'repeating' ? addMonthsUtc(start, Number(coupon['duration_in_months']))
          : coupon['duration'] === 'once' ? (interval.unit === 'month' ? addMonthsUtc(start, interval.count) : interval.unit === 'year' ? addMonthsUtc(start, 12 * interval.count) : start + (interval.unit === 'week' ? 7 : 1) * 86400 * interval.count)
          : null);
        if (t >= start && (derivedEnd === null || t < derivedEnd)) active.push(coupon['percent_off'] !== null ? { percent: Number(coupon['percent_off']) } : { amountOff: Number(coupon['amount_off']) });
      }
      let net = gross;
      for (const d of active) {
        net = d.percent !== undefined ? fmul(net, F(100n * 1000n - BigInt(Math.round(d.percent * 1000)), 100n * 1000n)) : fadd(net, fmul(F(-(d.amountOff ?? 0)), factorOf(interval)));
        if (net.n * net.d < 0n) net = F(0);
      }
      const cur = String(s['currency']).toUpperCase();
      const rate = cur === 'GBP' ? F(1) : dec((fx.get(cur) as { rate: string }).rate);
      const key = String(s['customer_id']);
      perCustomer.set(key, fadd(perCustomer.get(key) ?? F(0), fmul(net, rate)));
    }
    let total = 0n;
    for (const v of perCustomer.values()) total += halfEven(v);
    return Number(total);
  });
}

describe.each(DB_KINDS)('analytics over the synced demo business on %s', (kind) => {
  let env: AnalyticsApp;
  let base: string;
  beforeAll(async () => {
    env = await startAnalyticsApp(kind);
    base = `/api/orgs/${env.org.id}`;
  }, 600_000);
  afterAll(async () => env?.dispose());

  const get = async (path: string, who: 'admin' | 'member' | 'viewer' = 'admin') => {
    const browser = who === 'admin' ? env.org.admin.browser : env[who].browser;
    return browser.request('GET', `${base}${path}`);
  };

  it('materialised the snapshot after the backfill, and /metrics/status says ready', async () => {
    const res = await get('/metrics/status');
    expect(res.statusCode).toBe(200);
    const status = res.json() as { state: string; version: number; currency: string; from: string; to: string; warnings: string[] };
    expect(status).toMatchObject({ state: 'ready', currency: 'GBP' });
    expect(status.version).toBeGreaterThan(0);
    expect(status.to >= '2026-11-01').toBe(true);
  });

  it('serves the summary and the MRR series in the documented shapes', async () => {
    const s = (await get('/metrics/summary?date=2026-11-01')).json() as Row;
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['currency', 'mrr', 'arr', 'customers', 'arpa', 'date', 'previous', 'change', 'ltv', 'customerChurnRate']));
    expect(s['currency']).toBe('GBP');
    expect(s['date']).toBe('2026-11-01');
    expect(s['mrr']).toBeGreaterThan(0);
    expect(s['arr']).toBe((s['mrr'] as number) * 12);
    expect(s['arpa']).toBe(Math.round((s['mrr'] as number) / (s['customers'] as number)));
    const rows = (await get('/metrics/mrr?from=2026-01-01&to=2026-10-31&interval=month')).json() as Row[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows).toHaveLength(10);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['date', 'mrr', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'currencyAdjustment', 'currency']));
      expect(r['currency']).toBe('GBP');
      expect(r['churn'] as number).toBeLessThanOrEqual(0);
      expect(r['contraction'] as number).toBeLessThanOrEqual(0);
    }
    expect(rows.map((r) => r['date'])).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'].map((m) => `2026-${m}-01`));
  });

  it('answers exactly the shapes of api-schemas.ts (the types the web app compiles against)', async () => {
    const top = ((await get('/customers?sort=mrr&pageSize=1')).json() as { items: { id: string; accountId: string | null }[] }).items[0];
    expect(top).toBeDefined();
    const cases: [string, TSchema][] = [
      ['/metrics/status', StatusViewSchema], ['/metrics/summary', SummaryViewSchema], ['/metrics/kpis', KpisViewSchema],
      ['/metrics/mrr?interval=week', Type.Array(MrrRowSchema)], ['/metrics/churn', Type.Array(ChurnRowSchema)],
      ['/metrics/cohorts?from=2026-01&to=2026-10', Type.Array(CohortSchema)],
      ['/metrics/trials?from=2025-11-01&to=2026-10-31', Type.Array(TrialRowSchema)],
      ['/metrics/failed-payments?from=2025-11-01&to=2026-10-31', Type.Array(FailedPaymentRowSchema)],
      ['/metrics/cash?from=2025-11-01&to=2026-10-31', Type.Array(CashRowSchema)],
      ['/metrics/plans', Type.Array(PlanRowSchema)],
      ['/customers', CustomerPageSchema],
      [`/customers/${encodeURIComponent(String(top?.id))}?account=${encodeURIComponent(String(top?.accountId))}`, CustomerDetailSchema],
      ['/metrics/movements?from=2026-01-01&to=2026-10-31', MovementPageSchema],
    ];
    for (const [path, schema] of cases) {
      const res = await get(path);
      expect([path, res.statusCode]).toEqual([path, 200]);
      // Exactly the schema's fields at every depth, and every list of objects (rows, cohort cells, page items, a
      // customer's subscriptions, their items, invoices…) held something in this fixture, or the check proved
      // nothing about its elements.
      expect([path, shapeReport(schema, res.json())]).toEqual([path, { errors: [], keys: [], unchecked: [] }]);
    }
  });

  it('keeps MRR(end) − MRR(start) = Σ movements over every API series (day, week, month)', async () => {
    const status = (await get('/metrics/status')).json() as { from: string };
    for (const interval of ['day', 'week', 'month']) {
      const rows = (await get(`/metrics/mrr?from=${status.from}&to=2026-11-01&interval=${interval}`)).json() as Row[];
      expect(rows.length).toBeGreaterThan(0);
      let prev: number | null = null;
      let total = 0;
      for (const r of rows) {
        const moves = MOVES.reduce((t, k) => t + (r[k] as number), 0);
        expect((r['mrr'] as number) - (r['startMrr'] as number)).toBe(moves);
        if (prev !== null) expect(r['startMrr']).toBe(prev);
        prev = r['mrr'] as number;
        total += moves;
      }
      const first = rows[0] as Row;
      const last = rows[rows.length - 1] as Row;
      expect((last['mrr'] as number) - (first['startMrr'] as number)).toBe(total);
    }
  });

  it('equals, to the penny, the MRR the test sums itself over the active subscriptions it reads from the synced rows', async () => {
    const t = Date.UTC(2026, 10, 1, 23, 59, 59) / 1000; // end of 1 Nov 2026 in London (GMT)
    const expected = await independentMrr(env, t, '2026-11-01');
    const s = (await get('/metrics/summary?date=2026-11-01')).json() as { mrr: number };
    expect(s.mrr).toBe(expected);
  });

  it('takes disputes out of net cash: what disputes withdrew less what won disputes gave back, as the synced balance transactions say', async () => {
    const synced = await withOrg(env.t.db, env.org.id, async (tx) => (await sql<{ n: string; withdrawn: string | null }>`select count(*)::text as n, sum(-amount)::text as withdrawn
      from stripe_balance_transactions where reporting_category in ('dispute', 'dispute_reversal')`.execute(tx)).rows[0]);
    expect(Number(synced?.n)).toBeGreaterThan(0);
    const rows = (await get('/metrics/cash?from=2020-01-01&interval=month')).json() as { charges: number; refunds: number; disputes: number; fees: number; net: number }[];
    // The demo business is in GBP, the reporting currency: no conversion between the two sums.
    expect(rows.reduce((t, r) => t + r.disputes, 0)).toBe(Number(synced?.withdrawn));
    for (const r of rows) expect(r.net).toBe(r.charges - r.refunds - r.disputes - r.fees);
  });

  it('bases LTV on the one-month churn ending on its date, whatever the comparison or the KPI range', async () => {
    // The month ending 1 Nov 2026: customers churned 2 Oct … 1 Nov ÷ paying customers on 1 Oct (docs/metrics.md §9).
    const days = (await get('/metrics/mrr?from=2026-10-02&to=2026-11-01&interval=day')).json() as { churnedCustomers: number }[];
    const churned = days.reduce((t, d) => t + d.churnedCustomers, 0);
    const start = ((await get('/metrics/summary?date=2026-10-01')).json() as { customers: number }).customers;
    expect(churned).toBeGreaterThan(0);
    type Summary = { arpa: number; ltv: { value: number; lifetimeMonths: number }; previous: { date: string; ltv: { value: number } } };
    const byMonth = (await get('/metrics/summary?date=2026-11-01&compare=month')).json() as Summary;
    const lifetime = Math.min(60, start / churned);
    expect(byMonth.ltv.lifetimeMonths).toBeCloseTo(lifetime, 9);
    expect(Math.abs(byMonth.ltv.value - byMonth.arpa * lifetime)).toBeLessThanOrEqual(0.5);
    // A week's or a year's churn would give another lifetime; the figure for the same day must not move.
    for (const compare of ['day', 'week', 'year']) {
      const other = (await get(`/metrics/summary?date=2026-11-01&compare=${compare}`)).json() as Summary;
      expect(other.ltv).toEqual(byMonth.ltv);
    }
    // The previous figure is that of its own date, one month's churn too.
    const yearAgo = (await get('/metrics/summary?date=2026-11-01&compare=year')).json() as Summary;
    const thatDay = (await get(`/metrics/summary?date=${yearAgo.previous.date}`)).json() as Summary;
    expect(yearAgo.previous.ltv).toEqual(thatDay.ltv);
    // The KPI tile over a whole year reads the same one-month churn at the range's end.
    const kpis = (await get('/metrics/kpis?from=2025-11-02&to=2026-11-01')).json() as { kpis: { ltv: { value: number } } };
    expect(kpis.kpis.ltv.value).toBe(byMonth.ltv.value);
  });

  it('prices a USD/EUR subscription on a GBP price from the price\'s currency_options (synced only on expand)', async () => {
    const orgId = env.org.id;
    const found = await withOrg(env.t.db, orgId, async (tx) => {
      const { rows } = await sql<Row>`select s.id, s.customer_id, s.currency, i.quantity, p.id as price_id, p.payload_encrypted, s.payload_encrypted as sub_payload
          from stripe_subscriptions s join stripe_subscription_items i on i.subscription_id = s.id join stripe_prices p on p.id = i.price_id
          where s.status = 'active' and s.trial_end is null and s.cancel_at is null and not s.cancel_at_period_end and s.pause_behavior is null
            and p.currency <> s.currency order by s.id`.execute(tx);
      const out: Row[] = [];
      for (const r of rows) {
        const dec1 = async (table: string, id: string, v: unknown) => JSON.parse(await env.app.services.crypto.decryptField(orgId, { table, column: 'payload_encrypted', rowId: id }, String(v), tx)) as Row;
        const sub = await dec1('stripe_subscriptions', String(r['id']), r['sub_payload']);
        const customer = await tx.selectFrom('stripe_customers').select('payload_encrypted').where('id', '=', String(r['customer_id'])).executeTakeFirstOrThrow();
        // Without discounts, so the expected MRR is the price's alone.
        if (((sub['discounts'] ?? []) as unknown[]).length > 0 || (await dec1('stripe_customers', String(r['customer_id']), customer.payload_encrypted))['discount']) continue;
        out.push({ ...r, price: await dec1('stripe_prices', String(r['price_id']), r['payload_encrypted']) });
      }
      return out;
    });
    expect(found.length).toBeGreaterThan(0);
    for (const r of found) {
      const option = ((r['price'] as Row)['currency_options'] as Record<string, Row>)[String(r['currency'])] as Row;
      const qty = Number(r['quantity']);
      const tiers = option['tiers'] as Row[] | undefined;
      const tier = tiers?.find((x) => x['up_to'] === null || qty <= Number(x['up_to']));
      // Pro and Team are monthly: MRR is one month's amount in the subscription's own currency.
      const expected = tier ? Number(tier['unit_amount']) * qty + Number(tier['flat_amount']) : Number(option['unit_amount']) * qty;
      const detail = (await get(`/customers/${String(r['customer_id'])}`)).json() as {
        subscriptions: Array<{ id: string; currency: string; nativeMrr: number; items: { priceId: string | null; unitAmount: number | null; currency: string }[] }>;
      };
      const view = detail.subscriptions.find((x) => x.id === r['id']);
      expect([r['id'], view?.currency.toLowerCase(), view?.nativeMrr]).toEqual([r['id'], String(r['currency']), expected]);
      // The item shows what it is billed: the option's unit amount in the subscription's currency (none when tiered).
      const shown = view?.items.find((i) => i.priceId === r['price_id']);
      expect(shown).toMatchObject({ currency: String(r['currency']).toUpperCase(), unitAmount: tiers ? null : Number(option['unit_amount']) });
    }
  });

  it('answers churn, cohorts, plans, trials, failed payments, cash, KPIs, customers and movements', async () => {
    const churn = (await get('/metrics/churn?from=2026-01-01&to=2026-10-31')).json() as Row[];
    expect(churn).toHaveLength(10);
    expect(Object.keys(churn[0] as Row)).toEqual(expect.arrayContaining(['customerChurnRate', 'grossMrrChurnRate', 'netMrrChurnRate', 'nrr', 'grr']));
    const cohorts = (await get('/metrics/cohorts?from=2026-01&to=2026-10')).json() as { month: string; size: number; cells: Row[] }[];
    expect(cohorts.length).toBeGreaterThan(0);
    expect(cohorts[0]?.cells[0]?.['customers']).toBe(cohorts[0]?.size);
    const plans = (await get('/metrics/plans')).json() as { priceId: string; nickname: string | null; mrr: number }[];
    // A price's nickname is read from its payload (it has no column): the emulator's own.
    const stripeStore = env.emulator.store.accounts.store(env.emulator.accountId);
    expect(plans.length).toBeGreaterThan(0);
    for (const p of plans) expect(p.nickname).toBe((stripeStore.retrieve('price', p.priceId) as Record<string, unknown>)['nickname'] ?? null);
    expect(plans.every((p) => p.nickname !== null)).toBe(true);
    // A row per price and billed currency: the GBP price that USD/EUR customers pay through currency_options has
    // a row per currency, and a GBP row's native MRR is its MRR (no EUR or USD amount added into it).
    const plansByCurrency = plans as unknown as { priceId: string; currency: string; mrr: number; nativeMrr: number }[];
    expect(new Set(plansByCurrency.map((p) => `${p.priceId}|${p.currency}`)).size).toBe(plansByCurrency.length);
    expect(new Set(plansByCurrency.map((p) => p.priceId)).size).toBeLessThan(plansByCurrency.length);
    for (const p of plansByCurrency.filter((x) => x.currency === 'GBP')) expect(p.nativeMrr, p.priceId).toBe(p.mrr);
    const summary = (await get('/metrics/summary')).json() as { mrr: number; customers: number };
    // per-plan figures are rounded per customer and plan, so their total may differ from MRR by rounding only
    expect(Math.abs(plans.reduce((t, p) => t + p.mrr, 0) - summary.mrr)).toBeLessThanOrEqual(summary.customers);
    for (const path of ['trials', 'failed-payments', 'cash']) {
      const rows = (await get(`/metrics/${path}?from=2026-01-01&to=2026-10-31`)).json() as Row[];
      expect(rows).toHaveLength(10);
    }
    const cash = (await get('/metrics/cash?from=2026-01-01&to=2026-10-31')).json() as { charges: number; net: number }[];
    expect(cash.some((c) => c.charges > 0)).toBe(true);
    const failed = (await get('/metrics/failed-payments?from=2025-01-01&to=2026-10-31')).json() as { failed: number; recoveredRevenue: number }[];
    expect(failed.some((f) => f.failed > 0)).toBe(true);
    const kpis = (await get('/metrics/kpis?from=2026-10-01&to=2026-10-31')).json() as { kpis: Record<string, { value: unknown }> };
    expect(Object.keys(kpis.kpis)).toEqual(expect.arrayContaining(['mrr', 'arpa', 'ltv', 'nrr', 'grr', 'trialConversion', 'failedPaymentRate', 'netCash']));
    // the customers behind a movement bar add up to the bar
    const bars = (await get('/metrics/mrr?from=2026-10-01&to=2026-10-31&interval=month')).json() as Row[];
    const drill = (await get('/metrics/movements?from=2026-10-01&to=2026-10-31&kind=churn&pageSize=200')).json() as { totalAmount: number; total: number; items: Row[] };
    expect(drill.totalAmount).toBe(bars[0]?.['churn']);
    expect(drill.items.every((i) => i['kind'] === 'churn')).toBe(true);
    const list = (await get('/customers?sort=mrr&pageSize=10')).json() as { total: number; items: { id: string; name: string; mrr: number }[] };
    expect(list.items).toHaveLength(10);
    expect(list.total).toBeGreaterThan(300);
    const top = list.items[0] as { id: string; name: string; mrr: number };
    const found = (await get(`/customers?q=${encodeURIComponent(top.name.toLowerCase())}`)).json() as { items: { id: string }[] };
    expect(found.items.map((i) => i.id)).toContain(top.id);
    const detail = (await get(`/customers/${top.id}`)).json() as { customer: { id: string; name: string | null; email: string | null; metadata: Record<string, string> }; timeline: Row[]; subscriptions: Row[]; invoices: Row[] };
    expect(detail.customer.id).toBe(top.id);
    // Name, email and metadata are read from the customer's decrypted payload, their only copy (migration 0017).
    const source = env.emulator.store.accounts.store(env.emulator.accountId).retrieve('customer', top.id) as Record<string, unknown>;
    const { name, email, metadata } = detail.customer;
    expect({ name, email, metadata }).toEqual({ name: source['name'] ?? null, email: source['email'] ?? null, metadata: source['metadata'] ?? {} });
    expect(email).toEqual(expect.stringContaining('@'));
    const byEmail = (await get(`/customers?q=${encodeURIComponent(String(email))}`)).json() as { items: { id: string }[] };
    expect(byEmail.items.map((i) => i.id)).toContain(top.id);
    expect(detail.timeline.length).toBeGreaterThan(0);
    expect(detail.subscriptions.length).toBeGreaterThan(0);
    // Invoice numbers come from the invoices' payloads, as Stripe gave them.
    expect(detail.invoices.length).toBeGreaterThan(0);
    for (const i of detail.invoices) expect(i['number']).toBe((stripeStore.retrieve('invoice', String(i['id'])) as Record<string, unknown>)['number']);
    expect(detail.invoices.every((i) => typeof i['number'] === 'string')).toBe(true);
    expect((await get('/customers/cus_does_not_exist')).statusCode).toBe(404);
    // a filter selects whole customers: the segments by currency add up to the whole
    const parts = await Promise.all(['GBP', 'USD', 'EUR'].map(async (c) => ((await get(`/metrics/summary?date=2026-11-01&currency=${c}`)).json() as { mrr: number }).mrr));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(summary.mrr);
  });

  it('exports CSV rows equal to the JSON rows, audited; a Viewer reads but cannot export', async () => {
    const json = (await get('/metrics/mrr?from=2026-01-01&to=2026-10-31&interval=month', 'member')).json() as Row[];
    const res = await get('/exports/mrr?from=2026-01-01&to=2026-10-31&interval=month', 'member');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="mowt-mrr-2026-01-01-2026-10-31\.csv"$/);
    const [header, ...rows] = parseCsv(res.body);
    expect(rows).toHaveLength(json.length);
    rows.forEach((r, i) => {
      const expected = json[i] as Row;
      header?.forEach((h, j) => expect(String(expected[h])).toBe(r[j]));
    });
    const audit = await withOrg(env.t.db, env.org.id, (tx) => tx.selectFrom('audit_log').select(['action', 'actor_id', 'target_id', 'metadata']).where('action', '=', 'read.export').execute());
    expect(audit.some((a) => a.actor_id === env.member.id && a.target_id === 'mrr')).toBe(true);

    const customersCsv = await get('/exports/customers', 'member');
    const parsed = parseCsv(customersCsv.body);
    const allJson = (await get('/customers?pageSize=200', 'member')).json() as { total: number };
    expect(parsed.length - 1).toBe(allJson.total);

    expect((await get('/metrics/summary', 'viewer')).statusCode).toBe(200);
    expect((await get('/customers', 'viewer')).statusCode).toBe(200);
    const denied = await get('/exports/mrr', 'viewer');
    expect(denied.statusCode).toBe(403);
  });

  it('reports exports to the anomaly rules: a burst of exports by one member raises a security event for the Admins', async () => {
    const events = async () => ((await get('/security-events?limit=200')).json() as { events: { rule: string; subject: { id: string } | null }[] }).events;
    expect((await events()).filter((e) => e.rule === 'export.burst')).toEqual([]);
    for (let i = 0; i < 10; i++) expect((await get('/exports/plans', 'member')).statusCode).toBe(200);
    const burst = (await events()).filter((e) => e.rule === 'export.burst');
    expect(burst).toHaveLength(1);
    expect(burst[0]?.subject?.id).toBe(env.member.id);
  });

  it('updates the summary within seconds after one subscription changes (emulator mutation + event poll), to the expected number', async () => {
    // an active GBP "Starter monthly" (£9) subscription, quantity 1, of a customer with no other live subscription and no discount
    const candidate = await withOrg(env.t.db, env.org.id, async (tx) => {
      const { rows } = await sql<Row>`select s.id, s.customer_id from stripe_subscriptions s join stripe_subscription_items i on i.subscription_id = s.id
        join stripe_prices p on p.id = i.price_id
        where s.status = 'active' and s.currency = 'gbp' and p.unit_amount = 900 and p.recurring_interval = 'month' and i.quantity = 1
          and not s.cancel_at_period_end and s.pause_behavior is null and s.trial_end is null
          and not exists (select 1 from stripe_subscriptions o where o.customer_id = s.customer_id and o.id <> s.id and o.status <> 'canceled')
        order by s.id`.execute(tx);
      for (const r of rows) {
        const cust = await tx.selectFrom('stripe_customers').select('payload_encrypted').where('id', '=', String(r['customer_id'])).executeTakeFirstOrThrow();
        const p = JSON.parse(await env.app.services.crypto.decryptField(env.org.id, { table: 'stripe_customers', column: 'payload_encrypted', rowId: String(r['customer_id']) }, cust.payload_encrypted, tx)) as Row;
        const sub = await tx.selectFrom('stripe_subscriptions').select('payload_encrypted').where('id', '=', String(r['id'])).executeTakeFirstOrThrow();
        const sp = JSON.parse(await env.app.services.crypto.decryptField(env.org.id, { table: 'stripe_subscriptions', column: 'payload_encrypted', rowId: String(r['id']) }, sub.payload_encrypted, tx)) as Row;
        if (!p['discount'] && ((sp['discounts'] ?? []) as unknown[]).length === 0) return r;
      }
      return null;
    });
    expect(candidate).not.toBeNull();
    const before = (await get('/metrics/summary?date=2026-11-01')).json() as { mrr: number; customers: number };
    const mutate = await fetch(`${env.emulator.url}/_emulator/subscriptions/${String(candidate?.['id'])}/update`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quantity: 3 }),
    });
    expect(mutate.status).toBe(200);
    const started = Date.now();
    const sync = await env.org.admin.browser.post(`${base}/stripe/connections/${env.connectionId}/sync`, {});
    expect(sync.statusCode).toBe(202);
    expect((await env.org.admin.browser.post(`${base}/stripe/connections/${crypto.randomUUID()}/sync`, {})).statusCode).toBe(404);
    let after = before;
    while (Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await get('/metrics/summary?date=2026-11-01')).json() as { mrr: number; customers: number };
      if (after.mrr !== before.mrr) break;
    }
    const seconds = (Date.now() - started) / 1000;
    expect(after.mrr).toBe(before.mrr + 2 * 900);
    expect(after.customers).toBe(before.customers);
    expect(seconds).toBeLessThan(30);
    await env.settle();
    // the movement is an expansion of the customer, today
    const drill = (await get('/metrics/movements?from=2026-11-01&to=2026-11-01&kind=expansion')).json() as { items: { customerId: string; amount: number }[] };
    expect(drill.items).toContainEqual(expect.objectContaining({ customerId: String(candidate?.['customer_id']), amount: 1800 }));
    // and the independent sum agrees again
    expect(after.mrr).toBe(await independentMrr(env, Date.UTC(2026, 10, 1, 23, 59, 59) / 1000, '2026-11-01'));
    void ANALYTICS_NOW;
  });

  // Last: it deletes the data the other tests read.
  it('forgets every figure and customer computed from a connection once an Admin disconnects it', async () => {
    const before = (await get('/metrics/status')).json() as { version: number };
    const named = ((await get('/customers?sort=mrr&pageSize=1')).json() as { items: { name: string }[] }).items[0]?.name ?? '';
    expect(named).not.toBe('');
    const res = await env.org.admin.browser.request('DELETE', `${base}/stripe/connections/${env.connectionId}`);
    expect(res.statusCode).toBe(200);
    const started = Date.now();
    let status = before as { version: number; state?: string };
    while (Date.now() - started < 60_000 && status.state !== 'empty') {
      await new Promise((r) => setTimeout(r, 100));
      status = (await get('/metrics/status')).json() as { version: number; state: string };
    }
    expect(status).toMatchObject({ state: 'empty' });
    expect(status.version).toBeGreaterThan(before.version);
    expect((await get('/metrics/summary')).json()).toMatchObject({ mrr: 0, customers: 0 });
    expect(((await get('/customers')).json() as { total: number }).total).toBe(0);
    expect(((await get(`/customers?q=${encodeURIComponent(named)}`)).json() as { total: number }).total).toBe(0);
    const rows = (await get('/metrics/cash?from=2020-01-01&interval=month')).json() as { charges: number }[];
    expect(rows.every((r) => r.charges === 0)).toBe(true);
    const left = await withOrg(env.t.db, env.org.id, async (tx) => (await sql<{ n: string }>`select
      (select count(*) from analytics_customers) + (select count(*) from analytics_points) + (select count(*) from analytics_invoice_facts)
      + (select count(*) from analytics_cash_facts) + (select count(*) from analytics_trials) as n`.execute(tx)).rows[0]?.n);
    expect(Number(left)).toBe(0);
  });
});
