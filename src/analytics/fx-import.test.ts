// Imported exchange rates: the file format and its checks (pure), the source rule with a hand-computed
// conversion, and the route end to end on the synced demo business (who may import, a bad file stores nothing,
// the recompute uses the file's rate, another organisation sees nothing).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrg } from '../../test/security/support.js';
import { withOrg } from '../db/tenant.js';
import { buildFxTable, fromInt, roundHalfEven, toReporting, type FxRateInput } from '../metrics/index.js';
import { chooseFxRates, fxCsv, parseFxCsv, validateFxRows } from './fx-import.js';
import { startAnalyticsApp, type AnalyticsApp } from './test-support.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { FxImportedSchema, FxRatesViewSchema, FxRemovedSchema } from './fx-schemas.js';
import { SettingsViewSchema, type SettingsView } from './api-schemas.js';

describe('the exchange-rate file', () => {
  it('reads the documented format: BOM, CRLF, quotes, blank lines; rates written without insignificant zeros', () => {
    const text = '\uFEFFDate,Currency,Rate\r\n2026-03-09,usd,0.8000\r\n\r\n"2026-03-10","USD","0.79"\r\n2026-03-10,EUR,00.86\r\n';
    expect(parseFxCsv(text, 'GBP')).toEqual({
      rates: [{ date: '2026-03-09', currency: 'USD', rate: '0.8' }, { date: '2026-03-10', currency: 'USD', rate: '0.79' }, { date: '2026-03-10', currency: 'EUR', rate: '0.86' }],
      problems: [], truncated: false,
    });
  });

  it('reports every problem with its line number and keeps no rate of a bad file', () => {
    const text = [
      'date,currency,rate',
      '2026-03-09,USD,0.8', // 2: fine
      '2026-02-30,USD,0.8', // 3: no such day
      '2026-03-10,ABC,1.1', // 4: not ISO 4217
      '2026-03-10,EUR,-0.86', // 5: negative
      '2026-03-11,EUR,0', // 6: zero
      '2026-03-09,USD,0.81', // 7: duplicate of line 2
      '2026-03-12,GBP,1', // 8: the reporting currency
      '2026-03-12,EUR', // 9: two fields
      '2026-03-13,EUR,1e-1', // 10: exponent
      '13/03/2026,EUR,0.9', // 11: not ISO date
    ].join('\n');
    const r = parseFxCsv(text, 'GBP');
    expect(r.rates).toEqual([]);
    expect(r.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(r.problems.find((p) => p.line === 7)?.message).toBe('second rate for USD on 2026-03-09 (first on line 2)');
    expect(r.problems.find((p) => p.line === 8)?.message).toContain('reporting currency');
    expect(r.problems.find((p) => p.line === 9)?.message).toContain('expected 3 fields');
  });

  it('refuses a wrong header and an empty file', () => {
    expect(parseFxCsv('day,currency,rate\n2026-03-09,USD,0.8', 'GBP').problems).toEqual([{ line: 1, message: 'the first line must be the header date,currency,rate' }]);
    expect(parseFxCsv('date,currency,rate\n', 'GBP').problems).toEqual([{ line: 2, message: 'the file has no rates' }]);
    expect(validateFxRows([{ line: 2, date: '2026-01-01', currency: 'usd', rate: '1.25' }], 'USD').problems[0]?.message).toContain('reporting currency');
  });

  it('downloads in the format it imports (round trip)', () => {
    const rates = [{ date: '2026-03-09', currency: 'USD', rate: '0.8' }, { date: '2026-03-10', currency: 'USD', rate: '0.79' }];
    expect(parseFxCsv(fxCsv(rates), 'GBP').rates).toEqual(rates);
  });
});

describe('choosing between Stripe’s rates and the file', () => {
  const stripe: FxRateInput[] = [
    { currency: 'USD', date: '1970-01-01', rate: '0.75' }, { currency: 'USD', date: '2026-03-01', rate: '0.75' },
    { currency: 'EUR', date: '1970-01-01', rate: '0.85' }, { currency: 'EUR', date: '2026-03-01', rate: '0.85' },
  ];
  const file = [{ date: '2026-03-10', currency: 'USD', rate: '0.79' }, { date: '2026-03-09', currency: 'USD', rate: '0.8' }];
  // $19.99 on 10 March in pence, by hand: 1999 × 0.79 = 1579.21 → 1579; with Stripe's 0.75: 1499.25 → 1499;
  // on 9 March with the file: 1999 × 0.8 = 1599.2 → 1599; €19.99 with Stripe's 0.85: 1699.15 → 1699.
  const pence = (rates: FxRateInput[], currency: string, date: string): bigint =>
    roundHalfEven(toReporting(buildFxTable(rates, 'GBP'), fromInt(1999), currency, date));

  it('imported-then-stripe (the default): the file for the currencies it has, Stripe for the rest', () => {
    const { rates, warnings } = chooseFxRates(stripe, file, 'GBP', 'imported-then-stripe', 'GBP');
    expect(warnings).toEqual([]);
    expect(pence(rates, 'USD', '2026-03-10')).toBe(1579n);
    expect(pence(rates, 'USD', '2026-03-09')).toBe(1599n);
    // before the file's first day its first rate applies (never Stripe's within one currency)
    expect(pence(rates, 'USD', '2026-03-01')).toBe(1599n);
    expect(pence(rates, 'EUR', '2026-03-10')).toBe(1699n);
    // docs/metrics.md §5.1: with the file's EUR line too, 1999 × 0.8612 = 1721.5388 → 1722
    const withEur = chooseFxRates(stripe, [...file, { date: '2026-03-10', currency: 'EUR', rate: '0.8612' }], 'GBP', 'imported-then-stripe', 'GBP').rates;
    expect(pence(withEur, 'EUR', '2026-03-10')).toBe(1722n);
  });

  it('stripe ignores the file; imported uses nothing else', () => {
    expect(pence(chooseFxRates(stripe, file, 'GBP', 'stripe', 'GBP').rates, 'USD', '2026-03-10')).toBe(1499n);
    const only = chooseFxRates(stripe, file, 'GBP', 'imported', 'GBP').rates;
    expect(pence(only, 'USD', '2026-03-10')).toBe(1579n);
    expect(() => pence(only, 'EUR', '2026-03-10')).toThrow('no FX rate for EUR');
  });

  it('a file in another reporting currency is not used, and says so', () => {
    const r = chooseFxRates(stripe, file, 'EUR', 'imported-then-stripe', 'GBP');
    expect(pence(r.rates, 'USD', '2026-03-10')).toBe(1499n);
    expect(r.warnings[0]).toContain('imported exchange rates are in EUR');
  });

  it('imported with no usable file falls back to Stripe’s rates and says so', () => {
    const r = chooseFxRates(stripe, [], null, 'imported', 'GBP');
    expect(pence(r.rates, 'USD', '2026-03-10')).toBe(1499n);
    expect(r.warnings).toEqual(["the exchange-rate source is the imported file but no usable file is imported: Stripe's rates are used meanwhile"]);
  });
});

describe('the fx-rates route on the demo business', () => {
  let env: AnalyticsApp;
  const url = () => `/api/orgs/${env.org.id}/analytics/fx-rates`;
  const csv = { 'content-type': 'text/csv' };

  beforeAll(async () => {
    env = await startAnalyticsApp('postgres');
  }, 240_000);
  afterAll(async () => {
    await env?.dispose();
  });

  const usdOnly = async () => {
    const res = await env.org.admin.browser.request('GET', `/api/orgs/${env.org.id}/customers?currency=USD&status=active&pageSize=200`);
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: { id: string; mrr: number; native: Record<string, number> }[] }).items.filter((c) => Object.keys(c.native).join() === 'USD');
  };

  it('lets only an Admin import; a Member and a Viewer are refused', async () => {
    for (const who of [env.member, env.viewer]) {
      const res = await who.browser.request('PUT', url(), { body: 'date,currency,rate\n2020-01-01,USD,0.5\n', headers: csv });
      expect(res.statusCode).toBe(403);
    }
    // everyone who reads dashboards can see the (empty) file
    const seen = await env.viewer.browser.request('GET', url());
    expect(seen.statusCode).toBe(200);
    expect(seen.json()).toMatchObject({ source: 'imported-then-stripe', total: 0, rates: [] });
    // No file yet, so its lists are empty here; they are checked with a file in the import test below.
    expect(shapeReport(FxRatesViewSchema, seen.json())).toEqual({ errors: [], keys: [], unchecked: ['.currencies', '.rates'] });
  });

  it('rejects a bad file with every problem and its line, storing nothing', async () => {
    const res = await env.org.admin.browser.request('PUT', url(), { body: 'date,currency,rate\n2020-01-01,USD,0.5\n2020-01-02,USD,abc\n2020-01-01,USD,0.6\n', headers: { 'content-type': 'text/csv; charset=utf-8' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'bad_fx_rates',
      errors: [{ field: 'line 3', message: expect.stringContaining('rate "abc"') }, { field: 'line 4', message: 'second rate for USD on 2020-01-01 (first on line 2)' }],
    });
    const json = await env.org.admin.browser.request('PUT', url(), { body: { rates: [{ date: '2020-01-01', currency: 'XYZ', rate: 0.5 }] } });
    expect(json.statusCode).toBe(422);
    expect(json.json()).toMatchObject({ errors: [{ field: 'line 2' }] });
    // the web app sends the file's text inside JSON: same lines, same checks
    const wrapped = await env.org.admin.browser.request('PUT', url(), { body: { csv: 'date,currency,rate\n\n2020-01-01,usd,1.2.3\n' } });
    expect(wrapped.json()).toMatchObject({ status: 422, errors: [{ field: 'line 3' }] });
    const stored = await withOrg(env.t.db, env.org.id, (tx) => sql<{ n: number }>`select count(*)::int as n from analytics_fx_imports`.execute(tx));
    expect(stored.rows[0]?.n).toBe(0);
  });

  it('recomputes with the imported rate, audits the import, and Stripe’s rates come back when chosen', async () => {
    const before = await usdOnly();
    expect(before.length).toBeGreaterThan(0);
    // one USD rate: 0.5 pounds per dollar from 2020 on (and, as the first rate, before it)
    const res = await env.org.admin.browser.request('PUT', url(), { body: 'date,currency,rate\n2020-01-01,USD,0.5\n', headers: csv });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ imported: 1, quoteCurrency: 'GBP', currencies: [{ currency: 'USD', from: '2020-01-01', to: '2020-01-01', days: 1 }] });
    expect(res.json()).toEqual({ imported: 1, quoteCurrency: 'GBP', currencies: [{ currency: 'USD', from: '2020-01-01', to: '2020-01-01', days: 1 }], source: 'imported-then-stripe', recompute: 'queued' });
    expect(shapeReport(FxImportedSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    await env.settle();
    const after = await usdOnly();
    expect(after.length).toBe(before.length);
    // MRR in pence = native cents × 0.5, rounded once: within a quarter penny of the stored native figure
    // (itself rounded) plus half a penny for the final rounding
    for (const c of after) expect(Math.abs(c.mrr - c.native['USD']! * 0.5)).toBeLessThanOrEqual(0.75);
    expect(after.some((c, i) => c.mrr !== before[i]?.mrr)).toBe(true);
    const audit = await withOrg(env.t.db, env.org.id, (tx) => sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'metrics.fx_rates_imported'`.execute(tx));
    expect(audit.rows[0]?.n).toBe(1);

    const listed = await env.viewer.browser.request('GET', url());
    expect(listed.json()).toMatchObject({ usable: true, quoteCurrency: 'GBP', total: 1, rates: [{ date: '2020-01-01', currency: 'USD', rate: '0.5' }] });
    expect(listed.json()).toEqual({
      source: 'imported-then-stripe', reportingCurrency: 'GBP', quoteCurrency: 'GBP', usable: true, importedAt: expect.any(String), total: 1,
      currencies: [{ currency: 'USD', from: '2020-01-01', to: '2020-01-01', days: 1 }], page: 1, pageSize: 100, matching: 1, rates: [{ date: '2020-01-01', currency: 'USD', rate: '0.5' }],
    });
    expect(shapeReport(FxRatesViewSchema, listed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // The CSV download is sent as is (its own response content type), not through the JSON schema.
    const download = await env.viewer.browser.request('GET', `${url()}?format=csv`);
    expect(download.body).toBe('date,currency,rate\r\n2020-01-01,USD,0.5\r\n');
    expect(download.headers['content-type']).toBe('text/csv; charset=utf-8');

    const back = await env.org.admin.browser.request('PUT', `/api/orgs/${env.org.id}/metrics/settings`, { body: { fxSource: 'stripe' } });
    expect(back.statusCode).toBe(202);
    await env.settle();
    expect((await usdOnly()).map((c) => c.mrr)).toEqual(before.map((c) => c.mrr));
  });

  it('shows another organisation nothing', async () => {
    const other = await newOrg(env.teamsApp, 'Other Org Ltd');
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await other.admin.browser.request(method, url(), method === 'PUT' ? { body: 'date,currency,rate\n2020-01-01,USD,9\n', headers: csv } : {});
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('USD');
    }
    const own = await other.admin.browser.request('GET', `/api/orgs/${other.id}/analytics/fx-rates`);
    expect(own.json()).toMatchObject({ total: 0, rates: [] });
  });

  it('lets an Admin remove the file: says how many rates went, 0 when there was none', async () => {
    const removed = await env.org.admin.browser.request('DELETE', url());
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ removed: 1 });
    expect(shapeReport(FxRemovedSchema, removed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    await env.settle();
    const again = await env.org.admin.browser.request('DELETE', url());
    expect(again.json()).toEqual({ removed: 0 });
    expect(((await env.viewer.browser.request('GET', url())).json() as { total: number }).total).toBe(0);
  });

  it('reads and changes the metric settings: every reader sees them, only an Admin changes them, and it is audited', async () => {
    const settings = `/api/orgs/${env.org.id}/metrics/settings`;
    const seen = await env.viewer.browser.request('GET', settings);
    expect(seen.statusCode).toBe(200);
    expect(shapeReport(SettingsViewSchema, seen.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const before = seen.json() as SettingsView;
    expect(before).toMatchObject({ reportingCurrency: 'GBP', timezone: 'Europe/London', preset: 'mowt', accounts: null });
    for (const who of [env.member, env.viewer]) expect((await who.browser.request('PUT', settings, { body: { ltvMaxLifetimeMonths: 24 } })).statusCode).toBe(403);
    const bad = await env.org.admin.browser.request('PUT', settings, { body: { timezone: 'Mars/Olympus_Mons' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'bad_timezone' });

    const exclude = { customerIds: ['cus_nobody'], customerMetadata: {}, planIds: [], planMetadata: { internal: 'yes' } };
    const changed = await env.org.admin.browser.request('PUT', settings, { body: { ltvMaxLifetimeMonths: 24, exclude } });
    expect(changed.statusCode).toBe(202);
    // Every field of the view (a field the response schema left out would be dropped silently).
    expect(changed.json()).toEqual({ ...before, ltvMaxLifetimeMonths: 24, exclude, updatedAt: expect.any(String) });
    expect(shapeReport(SettingsViewSchema, changed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const audit = await withOrg(env.t.db, env.org.id, (tx) => tx.selectFrom('audit_log').select(['metadata']).where('action', '=', 'metrics.settings_changed').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow());
    expect(audit.metadata).toMatchObject({ fields: ['exclude', 'ltvMaxLifetimeMonths'], ltvMaxLifetimeMonths: { from: before.ltvMaxLifetimeMonths, to: 24 } });

    const restored = await env.org.admin.browser.request('PUT', settings, { body: { ltvMaxLifetimeMonths: before.ltvMaxLifetimeMonths, exclude: before.exclude } });
    expect(restored.json()).toEqual({ ...before, updatedAt: expect.any(String) });
    const queued = await env.org.admin.browser.request('POST', `/api/orgs/${env.org.id}/metrics/recompute`, { body: {} });
    expect([queued.statusCode, queued.json()]).toEqual([202, { queued: true }]);
    expect((await env.member.browser.request('POST', `/api/orgs/${env.org.id}/metrics/recompute`, { body: {} })).statusCode).toBe(403);
    await env.settle();
  });
});
