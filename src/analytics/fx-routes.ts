// /api/orgs/:orgId/analytics/fx-rates — the imported exchange-rate file (docs/metrics-api.md). Reading it
// needs dashboards.read (rates are market data, shown next to the figures); importing or removing it needs
// settings.manage (it changes every figure), is audited and queues a full recompute. The body is the CSV itself
// (text/csv), JSON { csv: "…" } (the same text), or JSON { rates: [{ date, currency, rate }] }; a file with any problem stores nothing and the 422
// problem lists every problem with its line.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { appendAudit, requestContext } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { orgOf } from '../teams/permission-hook.js';
import { fxCsv, parseFxCsv, validateFxRows, MAX_FX_ROWS, type FxImportResult } from './fx-import.js';
import { FxImportedSchema, FxRatesViewSchema, FxRemovedSchema } from './fx-schemas.js';
import { readFxImport, replaceFxImport, summariseFxImport } from './fx-import-store.js';
import type { AnalyticsRunner } from './runner.js';
import { markFxImported, readSettings } from './settings.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';

export interface FxRouteDeps {
  db: Db;
  clock: Clock;
  runner: AnalyticsRunner;
}

/** A CSV of 100,000 lines is about 2.5 MB; leave room for quoting and CRLF. */
const BODY_LIMIT = 6 * 1024 * 1024;
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
const NoQuery = Type.Object({}, { additionalProperties: false });
const ListQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
}, { additionalProperties: false });
const Cell = Type.String({ maxLength: 40 });
const ImportBody = Type.Union([
  Type.String({ maxLength: BODY_LIMIT }),
  // the file's text inside JSON (the web app's API client sends JSON), checked exactly as text/csv
  Type.Object({ csv: Type.String({ maxLength: BODY_LIMIT }) }, { additionalProperties: false }),
  Type.Object({ rates: Type.Array(Type.Object({ date: Cell, currency: Cell, rate: Type.Union([Cell, Type.Number()]) }, { additionalProperties: false }), { maxItems: MAX_FX_ROWS + 1 }) }, { additionalProperties: false }),
]);
// GET answers JSON, or the file itself as text/csv (?format=csv), which is sent as is.
const ListAnswer = { 200: { content: { 'application/json': { schema: FxRatesViewSchema }, 'text/csv': { schema: Type.String() } } } };

function userIdOf(request: FastifyRequest): string {
  const auth = request.auth;
  if (!auth || auth.stage !== 'full') throw new HttpProblem(401, 'sign in first');
  return auth.userId;
}

function rejectProblems(result: FxImportResult): void {
  if (result.problems.length === 0) return;
  const count = `${result.problems.length}${result.truncated ? '+' : ''}`;
  throw new HttpProblem(422, `the exchange-rate file has ${count} problem${result.problems.length === 1 ? '' : 's'}; nothing was imported`, {
    code: 'bad_fx_rates',
    errors: result.problems.map((p) => ({ field: `line ${p.line}`, message: p.message })),
  });
}

export function fxRoutes(deps: FxRouteDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    await base.register(async (scope) => {
      scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      const path = '/api/orgs/:orgId/analytics/fx-rates';

      app.get(path, { schema: { params: OrgParams, querystring: ListQuery, response: ListAnswer }, config: { access: 'dashboards.read', rateLimit: 'read' } }, async (request, reply) => {
        const orgId = orgOf(request).id;
        const q = request.query;
        const currency = q.currency?.toUpperCase();
        const out = await withOrg(deps.db, orgId, async (tx) => {
          const settings = await readSettings(tx, orgId);
          const summary = await summariseFxImport(tx, orgId);
          const file = await readFxImport(tx, orgId, currency ? { currency } : {});
          return { settings, summary, file };
        });
        if (q.format === 'csv') {
          return reply.header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="mowt-fx-rates${currency ? `-${currency}` : ''}.csv"`)
            .header('cache-control', 'no-store')
            .send(fxCsv(out.file.rates));
        }
        const page = q.page ?? 1;
        const pageSize = q.pageSize ?? 100;
        const { settings, summary } = out;
        return {
          source: settings.fxSource,
          reportingCurrency: settings.reportingCurrency,
          quoteCurrency: summary.quoteCurrency,
          // a file imported for another reporting currency is kept but not used (its rates are in the wrong unit)
          usable: summary.quoteCurrency !== null && summary.quoteCurrency === settings.reportingCurrency,
          importedAt: settings.fxImportedAt,
          total: summary.total,
          currencies: summary.currencies,
          page, pageSize, matching: out.file.rates.length,
          rates: out.file.rates.slice((page - 1) * pageSize, page * pageSize),
        };
      });

      app.put(path, {
        schema: { params: OrgParams, querystring: NoQuery, body: ImportBody, response: { 202: FxImportedSchema } }, bodyLimit: BODY_LIMIT,
        config: { access: 'settings.manage', rateLimit: 'write' },
      }, async (request, reply) => {
        const orgId = orgOf(request).id;
        const userId = userIdOf(request);
        const body = request.body;
        const now = deps.clock();
        const result = await withOrg(deps.db, orgId, async (tx) => {
          const settings = await readSettings(tx, orgId);
          const checked = typeof body === 'string'
            ? parseFxCsv(body, settings.reportingCurrency)
            : 'csv' in body
              ? parseFxCsv(body.csv, settings.reportingCurrency)
              : body.rates.length === 0
              ? { rates: [], problems: [{ line: 2, message: 'the file has no rates' }], truncated: false }
              : validateFxRows(body.rates.map((r, i) => ({ line: i + 2, date: r.date, currency: r.currency, rate: String(r.rate) })), settings.reportingCurrency);
          rejectProblems(checked);
          await replaceFxImport(tx, orgId, checked.rates, settings.reportingCurrency);
          await markFxImported(tx, orgId, userId, now);
          const summary = await summariseFxImport(tx, orgId);
          await appendAudit(tx, {
            orgId, actor: { type: 'user', id: userId }, action: 'metrics.fx_rates_imported', target: { type: 'organisation', id: orgId }, ...requestContext(request),
            metadata: { rates: summary.total, quoteCurrency: settings.reportingCurrency, currencies: summary.currencies.map((c) => `${c.currency} ${c.from}..${c.to} (${c.days})`).join(', '), source: settings.fxSource },
            at: now,
          });
          return { summary, settings };
        });
        deps.runner.requestFull(orgId);
        return reply.code(202).send({
          imported: result.summary.total, quoteCurrency: result.settings.reportingCurrency, currencies: result.summary.currencies, source: result.settings.fxSource, recompute: 'queued',
        });
      });

      app.delete(path, { schema: { params: OrgParams, querystring: NoQuery, response: { 200: FxRemovedSchema } }, config: { access: 'settings.manage', rateLimit: 'write' } }, async (request, reply) => {
        const orgId = orgOf(request).id;
        const userId = userIdOf(request);
        const now = deps.clock();
        const removed = await withOrg(deps.db, orgId, async (tx) => {
          const before = await summariseFxImport(tx, orgId);
          if (before.total === 0) return 0;
          await replaceFxImport(tx, orgId, [], before.quoteCurrency ?? 'GBP');
          await tx.updateTable('analytics_settings').set({ fx_imported_at: null, fx_imported_by: null }).where('org_id', '=', orgId).execute();
          await appendAudit(tx, {
            orgId, actor: { type: 'user', id: userId }, action: 'metrics.fx_rates_removed', target: { type: 'organisation', id: orgId }, ...requestContext(request),
            metadata: { rates: before.total }, at: now,
          });
          return before.total;
        });
        if (removed > 0) deps.runner.requestFull(orgId);
        return reply.code(200).send({ removed });
      });
    });
  };
}
