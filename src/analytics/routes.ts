// /api/orgs/:orgId/metrics/*, /customers*, /exports/:dataset — the contract in docs/metrics-api.md. Thin:
// validate (TypeBox), call one query of queries.ts, map its errors to problem details. The permission hook
// (src/teams) has already checked the caller's role: reads need dashboards.read, exports exports.create,
// settings and recompute settings.manage.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Type, type Static } from 'typebox';
import { appendAudit, auditRead, requestContext, type AuditActor } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { orgOf } from '../teams/permission-hook.js';
import { flatten, toCsv, type FlatRow } from './csv.js';
import { CustomerDetailSchema, CustomerPageSchema, MovementPageSchema, RecomputeQueuedSchema, SettingsViewSchema, type SettingsView } from './api-schemas.js';
import {
  allCustomers, API_MOVEMENT_KINDS, cashSeries, churnSeries, cohortTable, customerDetail, customerList, failedPaymentSeries, kpis, metricsStatus, movements,
  mrrSeries, planTable, QueryError, summary, trialSeries, type ApiMovementKind, type Filters, type QueryDeps,
} from './queries.js';
import type { AnalyticsRunner } from './runner.js';
import { readSettings, writeSettings, type MetricSettings, type SettingsPatch } from './settings.js';
import { loadConnections } from './load.js';
import { excludesTestMode } from './settings.js';

export interface RouteDeps extends QueryDeps {
  runner: AnalyticsRunner;
  logger: Logger;
  /** Tells the anomaly rules about an export (bulk exports raise a security event). */
  onExport?: (e: { orgId: string; actor: { type: 'user'; id: string }; rows: number; kind: string; ip: string | null }) => Promise<void>;
}

const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ orgId: Uuid });
const NoQuery = Type.Object({}, { additionalProperties: false });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$' });
const IntervalT = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]);
const Page = Type.Integer({ minimum: 1, maximum: 1_000_000 });
const PageSize = Type.Integer({ minimum: 1, maximum: 200 });

const FilterProps = {
  plan: Type.Optional(Type.String({ maxLength: 2000 })),
  currency: Type.Optional(Type.String({ maxLength: 200 })),
  country: Type.Optional(Type.String({ maxLength: 500 })),
  billingInterval: Type.Optional(Type.String({ maxLength: 100 })),
  meta: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 600 }), { maxItems: 10 })),
};
const RangeProps = { from: Type.Optional(Day), to: Type.Optional(Day) };
const SeriesQuery = Type.Object({ ...RangeProps, interval: Type.Optional(IntervalT), ...FilterProps }, { additionalProperties: false });
const SummaryQuery = Type.Object({
  date: Type.Optional(Day),
  compare: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')])),
  ...FilterProps,
}, { additionalProperties: false });
const KpiQuery = Type.Object({ ...RangeProps, ...FilterProps }, { additionalProperties: false });
const CohortQuery = Type.Object({ from: Type.Optional(Month), to: Type.Optional(Month), ...FilterProps }, { additionalProperties: false });
const PlanQuery = Type.Object({ ...FilterProps }, { additionalProperties: false });
const MovementQuery = Type.Object({ ...RangeProps, kind: Type.Optional(Type.String({ maxLength: 120 })), page: Type.Optional(Page), pageSize: Type.Optional(PageSize), ...FilterProps }, { additionalProperties: false });
const SortT = Type.Union(['name', 'email', 'mrr', 'firstPaidDate', 'country', 'status'].map((s) => Type.Literal(s)));
const OrderT = Type.Union([Type.Literal('asc'), Type.Literal('desc')]);
const CustomerQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.String({ maxLength: 60 })),
  sort: Type.Optional(SortT),
  order: Type.Optional(OrderT),
  page: Type.Optional(Page),
  pageSize: Type.Optional(PageSize),
  ...FilterProps,
}, { additionalProperties: false });
const CustomerParams = Type.Object({ orgId: Uuid, customerId: Type.String({ minLength: 1, maxLength: 255 }) });
const AccountQuery = Type.Object({ account: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: false });

export const DATASETS = ['mrr', 'churn', 'cohorts', 'trials', 'failed-payments', 'cash', 'plans', 'customers', 'movements', 'kpis', 'customer-timeline'] as const;
export type Dataset = (typeof DATASETS)[number];
const ExportParams = Type.Object({ orgId: Uuid, dataset: Type.Union(DATASETS.map((d) => Type.Literal(d))) });
const ExportQuery = Type.Object({
  ...RangeProps,
  interval: Type.Optional(IntervalT),
  date: Type.Optional(Day),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.String({ maxLength: 60 })),
  sort: Type.Optional(SortT),
  order: Type.Optional(OrderT),
  kind: Type.Optional(Type.String({ maxLength: 120 })),
  customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  account: Type.Optional(Type.String({ maxLength: 255 })),
  cohortFrom: Type.Optional(Month),
  cohortTo: Type.Optional(Month),
  ...FilterProps,
}, { additionalProperties: false });

const StringList = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 500 });
const StringMap = Type.Record(Type.String({ minLength: 1, maxLength: 40 }), Type.String({ maxLength: 500 }));
const SettingsBody = Type.Object({
  reportingCurrency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  preset: Type.Optional(Type.Union([Type.Literal('mowt'), Type.Literal('stripe')])),
  testMode: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('exclude'), Type.Literal('include')])),
  includeTestMode: Type.Optional(Type.Boolean()),
  exclude: Type.Optional(Type.Object({
    customerIds: Type.Optional(StringList),
    customerMetadata: Type.Optional(StringMap),
    planIds: Type.Optional(StringList),
    planMetadata: Type.Optional(StringMap),
  }, { additionalProperties: false })),
  accounts: Type.Optional(Type.Union([Type.Null(), StringList])),
  ltvMaxLifetimeMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
  fxSource: Type.Optional(Type.Union([Type.Literal('stripe'), Type.Literal('imported'), Type.Literal('imported-then-stripe')])),
}, { additionalProperties: false });

type FilterQuery = { plan?: string; currency?: string; country?: string; billingInterval?: string; meta?: string[] };

const list = (v: string | undefined): string[] | undefined => {
  const out = v?.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  return out && out.length > 0 ? out : undefined;
};

export function parseFilters(q: FilterQuery): Filters {
  const f: Filters = {};
  const plan = list(q.plan);
  if (plan) f.plan = plan;
  const currency = list(q.currency);
  if (currency) {
    if (currency.some((c) => !/^[A-Za-z]{3}$/.test(c))) throw new HttpProblem(400, 'currency must be ISO 4217 codes, comma-separated', { code: 'bad_filter' });
    f.currency = currency.map((c) => c.toUpperCase());
  }
  const country = list(q.country);
  if (country) {
    if (country.some((c) => !/^[A-Za-z]{2}$/.test(c))) throw new HttpProblem(400, 'country must be ISO 3166 alpha-2 codes, comma-separated', { code: 'bad_filter' });
    f.country = country.map((c) => c.toUpperCase());
  }
  const intervals = list(q.billingInterval);
  if (intervals) {
    if (intervals.some((i) => !['day', 'week', 'month', 'year'].includes(i))) throw new HttpProblem(400, 'billingInterval must be day, week, month or year', { code: 'bad_filter' });
    f.billingInterval = intervals;
  }
  if (q.meta?.length) {
    f.meta = q.meta.map((m) => {
      const i = m.indexOf(':');
      if (i < 1 || i === m.length - 1) throw new HttpProblem(400, 'meta must be key:value', { code: 'bad_filter' });
      return { key: m.slice(0, i), value: m.slice(i + 1) };
    });
  }
  return f;
}

function parseKinds(v: string | undefined): ApiMovementKind[] | undefined {
  const kinds = list(v);
  if (!kinds) return undefined;
  for (const k of kinds) if (!API_MOVEMENT_KINDS.includes(k as ApiMovementKind)) throw new HttpProblem(400, `kind must be one of ${API_MOVEMENT_KINDS.join(', ')}`, { code: 'bad_kind' });
  return kinds as ApiMovementKind[];
}

function parseStatus(v: string | undefined): string[] | undefined {
  const s = list(v);
  if (s?.some((x) => !['active', 'trialing', 'churned', 'never'].includes(x))) throw new HttpProblem(400, 'status must be active, trialing, churned or never', { code: 'bad_status' });
  return s;
}

/** Runs a query, turning its QueryError (bad range, unknown plan…) into the HTTP problem it names. */
export async function runQuery<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof QueryError) throw new HttpProblem(error.status, error.message, error.code ? { code: error.code } : {});
    throw error;
  }
}

// A cached answer is the same object on every hit (response-cache.ts): serialise each one once, not per request.
const serialised = new WeakMap<object, string>();
function sendJson(reply: FastifyReply, value: object): FastifyReply {
  let text = serialised.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    serialised.set(value, text);
  }
  return reply.type('application/json; charset=utf-8').send(text);
}

function userIdOf(request: FastifyRequest): string {
  const auth = request.auth;
  if (!auth || auth.stage !== 'full') throw new HttpProblem(401, 'sign in first');
  return auth.userId;
}

/**
 * Who read customer-level data, for its audit entry: the member, or the Mowt staff member reading under an
 * approved grant (the permission hook's staff gate admits staff to dashboards.read, as a Viewer).
 */
function readerOf(request: FastifyRequest): AuditActor {
  const staff = orgOf(request).staff;
  return staff ? { type: 'staff', id: staff.id } : { type: 'user', id: userIdOf(request) };
}

function settingsView(s: MetricSettings, includeTestMode: boolean): SettingsView {
  return {
    reportingCurrency: s.reportingCurrency, timezone: s.timezone, preset: s.preset, testMode: s.testMode, includeTestMode,
    exclude: { customerIds: s.exclude.customerIds ?? [], customerMetadata: s.exclude.customerMetadata ?? {}, planIds: s.exclude.planIds ?? [], planMetadata: s.exclude.planMetadata ?? {} },
    accounts: s.accounts, ltvMaxLifetimeMonths: s.ltvMaxLifetimeMonths, fxSource: s.fxSource, fxImportedAt: s.fxImportedAt, updatedAt: s.updatedAt,
  };
}

type ExportQueryT = Static<typeof ExportQuery>;

/** The rows of a dataset, flattened for CSV: exactly the JSON endpoint's rows (all pages). */
export async function exportRows(deps: QueryDeps, orgId: string, dataset: Dataset, q: ExportQueryT): Promise<{ rows: FlatRow[]; from: string; to: string }> {
  const filters = parseFilters(q);
  const series = { from: q.from, to: q.to, interval: q.interval, filters };
  const rangeOf = (rows: { from?: string; to?: string }[]) => ({ from: rows[0]?.from ?? q.from ?? '', to: rows[rows.length - 1]?.to ?? q.to ?? '' });
  switch (dataset) {
    case 'mrr': {
      const rows = await mrrSeries(deps, orgId, series);
      return { rows: rows.map((r) => flatten({ ...r })), ...rangeOf(rows) };
    }
    case 'churn': {
      const rows = await churnSeries(deps, orgId, series);
      return { rows: rows.map((r) => flatten({ ...r })), ...rangeOf(rows) };
    }
    case 'trials': {
      const rows = await trialSeries(deps, orgId, series);
      return { rows: rows.map((r) => flatten({ ...r })), ...rangeOf(rows) };
    }
    case 'failed-payments': {
      const rows = await failedPaymentSeries(deps, orgId, series);
      return { rows: rows.map((r) => flatten({ ...r })), ...rangeOf(rows) };
    }
    case 'cash': {
      const rows = await cashSeries(deps, orgId, series);
      return { rows: rows.map((r) => flatten({ ...r })), ...rangeOf(rows) };
    }
    case 'cohorts': {
      const cohorts = await cohortTable(deps, orgId, { from: q.cohortFrom, to: q.cohortTo, filters });
      const rows = cohorts.flatMap((c) => c.cells.map((cell) => flatten({
        month: c.month, currency: c.currency, size: c.size, initialMrr: c.initialMrr, offset: cell.offset, cellMonth: cell.month, customers: cell.customers,
        mrr: cell.mrr, customerRetention: cell.customerRetention, mrrRetention: cell.mrrRetention,
      })));
      return { rows, from: cohorts[0]?.month ?? '', to: cohorts[cohorts.length - 1]?.month ?? '' };
    }
    case 'plans': {
      const rows = await planTable(deps, orgId, { filters });
      return { rows: rows.map((r) => flatten({ ...r })), from: '', to: '' };
    }
    case 'customers': {
      const all = await allCustomers(deps, orgId, { q: q.q, status: parseStatus(q.status), sort: q.sort, order: q.order, filters });
      const currencies = [...new Set(all.items.flatMap((c) => Object.keys(c.native)))].sort();
      return {
        rows: all.items.map((c) => {
          const { native, ...rest } = c;
          return flatten({ ...rest, currency: all.currency, native: Object.fromEntries(currencies.map((x) => [x, native[x] ?? null])) });
        }),
        from: '', to: '',
      };
    }
    case 'movements': {
      const page = await movements(deps, orgId, { from: q.from, to: q.to, kind: parseKinds(q.kind), page: 1, pageSize: Number.MAX_SAFE_INTEGER, filters });
      const currencies = [...new Set(page.items.flatMap((m) => Object.keys(m.native)))].sort();
      return {
        rows: page.items.map((m) => {
          const { native, ...rest } = m;
          return flatten({ ...rest, currency: page.currency, native: Object.fromEntries(currencies.map((x) => [x, native[x] ?? null])) });
        }),
        ...rangeOf(page.items.map((m) => ({ from: m.date, to: m.date }))),
      };
    }
    case 'kpis': {
      const k = await kpis(deps, orgId, { from: q.from, to: q.to, filters });
      const rows = Object.entries(k.kpis).map(([kpi, v]) => flatten({ kpi, currency: k.currency, from: k.from, to: k.to, value: v.value, previous: v.previous, change: v.change }));
      return { rows, from: k.from, to: k.to };
    }
    case 'customer-timeline': {
      if (!q.customerId) throw new HttpProblem(400, 'customerId is required for this dataset', { code: 'customer_required' });
      const d = await customerDetail(deps, orgId, q.customerId, q.account);
      return { rows: d.timeline.map((p) => { const { native, ...rest } = p; return flatten({ ...rest, currency: d.currency, native }); }), ...rangeOf(d.timeline.map((p) => ({ from: p.date, to: p.date }))) };
    }
  }
}

export function analyticsRoutes(deps: RouteDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const read = { access: 'dashboards.read', rateLimit: 'read' } as const;
    // Cached answers are sent as the JSON text serialised once per answer (sendJson), past the schema
    // serialiser; their shapes are the api-schemas.ts ones, which analytics.test.ts holds them to field by field.
    const cached = { ...read, noResponseSchema: 'pre-serialised cached answer (shape: api-schemas.ts, tested)' } as const;

    app.get('/api/orgs/:orgId/metrics/status', { schema: { params: OrgParams, querystring: NoQuery }, config: cached },
      async (request, reply) => sendJson(reply, await runQuery(() => metricsStatus(deps, orgOf(request).id))));

    app.get('/api/orgs/:orgId/metrics/summary', { schema: { params: OrgParams, querystring: SummaryQuery }, config: cached },
      async (request, reply) => sendJson(reply, await runQuery(() => summary(deps, orgOf(request).id, { date: request.query.date, compare: request.query.compare, filters: parseFilters(request.query) }))));

    app.get('/api/orgs/:orgId/metrics/kpis', { schema: { params: OrgParams, querystring: KpiQuery }, config: cached },
      async (request, reply) => sendJson(reply, await runQuery(() => kpis(deps, orgOf(request).id, { from: request.query.from, to: request.query.to, filters: parseFilters(request.query) }))));

    const series = (path: string, fn: typeof mrrSeries | typeof churnSeries | typeof trialSeries | typeof failedPaymentSeries | typeof cashSeries): void => {
      app.get(`/api/orgs/:orgId/metrics/${path}`, { schema: { params: OrgParams, querystring: SeriesQuery }, config: cached }, async (request, reply) => {
        const q = request.query;
        return sendJson(reply, await runQuery(() => (fn as typeof mrrSeries)(deps, orgOf(request).id, { from: q.from, to: q.to, interval: q.interval, filters: parseFilters(q) })));
      });
    };
    series('mrr', mrrSeries);
    series('churn', churnSeries);
    series('trials', trialSeries);
    series('failed-payments', failedPaymentSeries);
    series('cash', cashSeries);

    app.get('/api/orgs/:orgId/metrics/cohorts', { schema: { params: OrgParams, querystring: CohortQuery }, config: cached },
      async (request, reply) => sendJson(reply, await runQuery(() => cohortTable(deps, orgOf(request).id, { from: request.query.from, to: request.query.to, filters: parseFilters(request.query) }))));

    app.get('/api/orgs/:orgId/metrics/plans', { schema: { params: OrgParams, querystring: PlanQuery }, config: cached },
      async (request, reply) => sendJson(reply, await runQuery(() => planTable(deps, orgOf(request).id, { filters: parseFilters(request.query) }))));

    app.get('/api/orgs/:orgId/metrics/movements', { schema: { params: OrgParams, querystring: MovementQuery, response: { 200: MovementPageSchema } }, config: read }, async (request) => {
      const q = request.query;
      const orgId = orgOf(request).id;
      const out = await runQuery(() => movements(deps, orgId, { from: q.from, to: q.to, kind: parseKinds(q.kind), page: q.page, pageSize: q.pageSize, filters: parseFilters(q) }));
      await auditRead(deps.db, { orgId, actor: readerOf(request), what: 'customer_list', ids: [...new Set(out.items.map((i) => i.customerId))], context: requestContext(request), metadata: { list: 'movements' } });
      return out;
    });

    app.get('/api/orgs/:orgId/customers', { schema: { params: OrgParams, querystring: CustomerQuery, response: { 200: CustomerPageSchema } }, config: read }, async (request) => {
      const q = request.query;
      const orgId = orgOf(request).id;
      const out = await runQuery(() => customerList(deps, orgId, { q: q.q, status: parseStatus(q.status), sort: q.sort, order: q.order, page: q.page, pageSize: q.pageSize, filters: parseFilters(q) }));
      await auditRead(deps.db, { orgId, actor: readerOf(request), what: 'customer_list', ids: out.items.map((i) => i.id), context: requestContext(request), metadata: { list: 'customers' } });
      return out;
    });

    // No automatic HEAD route: a missing customer is a 404, which a body-less HEAD answer could not tell apart
    // from the permission hook's "organisation not found".
    app.get('/api/orgs/:orgId/customers/:customerId', { schema: { params: CustomerParams, querystring: AccountQuery, response: { 200: CustomerDetailSchema } }, config: read, exposeHeadRoute: false }, async (request) => {
      const orgId = orgOf(request).id;
      const out = await runQuery(() => customerDetail(deps, orgId, request.params.customerId, request.query.account));
      await auditRead(deps.db, { orgId, actor: readerOf(request), what: 'customer', targetId: request.params.customerId, context: requestContext(request) });
      return out;
    });

    app.get('/api/orgs/:orgId/exports/:dataset', {
      schema: { params: ExportParams, querystring: ExportQuery },
      config: { access: 'exports.create', rateLimit: 'export', noResponseSchema: 'CSV download' },
    }, async (request, reply) => {
      const orgId = orgOf(request).id;
      const dataset = request.params.dataset;
      const { rows, from, to } = await runQuery(() => exportRows(deps, orgId, dataset, request.query));
      const q = request.query;
      await auditRead(deps.db, {
        orgId, actor: { type: 'user', id: userIdOf(request) }, what: 'export', targetId: dataset, context: requestContext(request),
        // which filters were used, never their values (a metadata value can name a customer)
        metadata: { dataset, rows: rows.length, from: q.from ?? null, to: q.to ?? null, interval: q.interval ?? null, filters: Object.keys(parseFilters(q)).sort() },
      });
      // The export itself must not fail because the monitor could not count it.
      await deps.onExport?.({ orgId, actor: { type: 'user', id: userIdOf(request) }, rows: rows.length, kind: `metrics.${dataset}`, ip: request.ip }).catch((err: unknown) => deps.logger.warn({ err }, 'export not reported to the security monitor'));
      const name = ['mowt', dataset, from, to].filter((x) => x).join('-').replace(/[^A-Za-z0-9._-]/g, '');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .header('cache-control', 'no-store')
        .send(toCsv(rows));
    });

    app.get('/api/orgs/:orgId/metrics/settings', { schema: { params: OrgParams, querystring: NoQuery, response: { 200: SettingsViewSchema } }, config: read }, async (request) => {
      const orgId = orgOf(request).id;
      return withOrg(deps.db, orgId, async (tx) => {
        const s = await readSettings(tx, orgId);
        return settingsView(s, !excludesTestMode(s, (await loadConnections(tx)).values()));
      });
    });

    app.put('/api/orgs/:orgId/metrics/settings', {
      schema: { params: OrgParams, querystring: NoQuery, body: SettingsBody, response: { 202: SettingsViewSchema } }, config: { access: 'settings.manage', rateLimit: 'write' },
    }, async (request, reply) => {
      const orgId = orgOf(request).id;
      const body = request.body;
      if (body.timezone !== undefined) {
        try {
          new Intl.DateTimeFormat('en-GB', { timeZone: body.timezone });
        } catch {
          throw new HttpProblem(422, 'timezone must be an IANA zone such as Europe/London', { code: 'bad_timezone' });
        }
      }
      const patch: SettingsPatch = {};
      if (body.reportingCurrency !== undefined) patch.reportingCurrency = body.reportingCurrency;
      if (body.timezone !== undefined) patch.timezone = body.timezone;
      if (body.preset !== undefined) patch.preset = body.preset;
      if (body.testMode !== undefined) patch.testMode = body.testMode;
      else if (body.includeTestMode !== undefined) patch.testMode = body.includeTestMode ? 'include' : 'exclude';
      if (body.exclude !== undefined) patch.exclude = body.exclude;
      if (body.accounts !== undefined) patch.accounts = body.accounts;
      if (body.ltvMaxLifetimeMonths !== undefined) patch.ltvMaxLifetimeMonths = body.ltvMaxLifetimeMonths;
      if (body.fxSource !== undefined) patch.fxSource = body.fxSource;
      const userId = userIdOf(request);
      const now = deps.clock();
      const view = await withOrg(deps.db, orgId, async (tx) => {
        const before = await readSettings(tx, orgId);
        if (Object.keys(patch).length > 0) await writeSettings(tx, orgId, patch, userId, now);
        const after = await readSettings(tx, orgId);
        const changed = (Object.keys(patch) as (keyof SettingsPatch)[]).filter((k) => JSON.stringify((before as unknown as Record<string, unknown>)[k]) !== JSON.stringify((after as unknown as Record<string, unknown>)[k]));
        await appendAudit(tx, {
          orgId, actor: { type: 'user', id: userId }, action: 'metrics.settings_changed', target: { type: 'organisation', id: orgId },
          ...requestContext(request),
          // which settings changed; currency/timezone/preset/test mode values are not personal data, exclusion lists may be
          metadata: { fields: changed, ...Object.fromEntries(changed.filter((k) => ['reportingCurrency', 'timezone', 'preset', 'testMode', 'ltvMaxLifetimeMonths', 'fxSource'].includes(k))
            .map((k) => [k, { from: (before as unknown as Record<string, unknown>)[k] as string, to: (after as unknown as Record<string, unknown>)[k] as string }])) },
          at: now,
        });
        return { view: settingsView(after, !excludesTestMode(after, (await loadConnections(tx)).values())), changed: changed.length > 0 };
      });
      if (view.changed) deps.runner.requestFull(orgId);
      return reply.code(202).send(view.view);
    });

    app.post('/api/orgs/:orgId/metrics/recompute', {
      schema: { params: OrgParams, querystring: NoQuery, body: Type.Object({}, { additionalProperties: false }), response: { 202: RecomputeQueuedSchema } },
      config: { access: 'settings.manage', rateLimit: 'write' },
    }, async (request, reply) => {
      const orgId = orgOf(request).id;
      await appendAudit(deps.db, { orgId, actor: { type: 'user', id: userIdOf(request) }, action: 'metrics.recompute_requested', target: { type: 'organisation', id: orgId }, ...requestContext(request), at: deps.clock() });
      deps.runner.requestFull(orgId);
      return reply.code(202).send({ queued: true as const });
    });
  };
}
