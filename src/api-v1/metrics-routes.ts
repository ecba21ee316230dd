// /api/v1/metrics/*: the dashboard's own figures (docs/metrics-api.md) for API tokens with metrics:read. The
// numbers come from the analytics slice's plain query functions — the same calls the dashboard routes make —
// and are described by the same schemas (api-schemas.ts, which analytics.test.ts holds the answers to), so the
// public API and its OpenAPI document can never disagree with the dashboard. The organisation is the token's.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  ChurnRowSchema, churnSeries, DaySchema, kpis, KpisViewSchema, metricsStatus, MrrRowSchema, mrrSeries, parseFilters, runQuery, StatusViewSchema, summary,
  SummaryViewSchema, type QueryDeps,
} from '../analytics/index.js';
import { tokenOf } from '../tokens/index.js';

const Day = DaySchema;
const FilterProps = {
  plan: Type.Optional(Type.String({ maxLength: 2000, description: 'price or product ids, comma-separated' })),
  currency: Type.Optional(Type.String({ maxLength: 200, description: 'original currencies, comma-separated' })),
  country: Type.Optional(Type.String({ maxLength: 500, description: 'ISO 3166-1 alpha-2 codes, comma-separated' })),
  billingInterval: Type.Optional(Type.String({ maxLength: 100, description: 'day, week, month, year; comma-separated' })),
  meta: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 600 }), { maxItems: 10, description: 'key:value customer metadata; repeat for several' })),
};
const Interval = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { description: 'row granularity (default month)' });
const SeriesQuery = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day), interval: Type.Optional(Interval), ...FilterProps }, { additionalProperties: false });
const SummaryQuery = Type.Object(
  { date: Type.Optional(Day), compare: Type.Optional(Type.Union(['day', 'week', 'month', 'year'].map((c) => Type.Literal(c)))), ...FilterProps },
  { additionalProperties: false },
);
const KpiQuery = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day), ...FilterProps }, { additionalProperties: false });
const NoQuery = Type.Object({}, { additionalProperties: false });

export function metricsV1Routes(deps: QueryDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const cfg = (summaryText: string, description?: string): FastifyContextConfig => ({
      access: 'api-token',
      scope: 'metrics:read',
      rateLimit: 'api',
      openapi: { summary: summaryText, description, tags: ['metrics'] },
    });

    app.get('/api/v1/metrics/status', { schema: { querystring: NoQuery, response: { 200: StatusViewSchema } }, config: cfg('Freshness of the figures', 'Poll `version`; refetch when it moves.') },
      async (request) => runQuery(() => metricsStatus(deps, tokenOf(request).orgId)));

    app.get('/api/v1/metrics/summary', { schema: { querystring: SummaryQuery, response: { 200: SummaryViewSchema } }, config: cfg('Headline figures on a day', 'MRR, ARR, paying customers, ARPA, LTV and churn rate, with the previous period and the change.') },
      async (request) => {
        const q = request.query;
        return runQuery(() => summary(deps, tokenOf(request).orgId, { date: q.date, compare: q.compare as 'day' | 'week' | 'month' | 'year' | undefined, filters: parseFilters(q) }));
      });

    app.get('/api/v1/metrics/kpis', { schema: { querystring: KpiQuery, response: { 200: KpisViewSchema } }, config: cfg('Key performance indicators over a range') },
      async (request) => runQuery(() => kpis(deps, tokenOf(request).orgId, { from: request.query.from, to: request.query.to, filters: parseFilters(request.query) })));

    app.get('/api/v1/metrics/mrr', { schema: { querystring: SeriesQuery, response: { 200: Type.Array(MrrRowSchema) } }, config: cfg('MRR and its movements per period', 'Every row satisfies mrr − startMrr = new + expansion + contraction + churn + reactivation + currencyAdjustment.') },
      async (request) => {
        const q = request.query;
        return runQuery(() => mrrSeries(deps, tokenOf(request).orgId, { from: q.from, to: q.to, interval: q.interval, filters: parseFilters(q) }));
      });

    app.get('/api/v1/metrics/churn', { schema: { querystring: SeriesQuery, response: { 200: Type.Array(ChurnRowSchema) } }, config: cfg('Customer and revenue churn per period') },
      async (request) => {
        const q = request.query;
        return runQuery(() => churnSeries(deps, tokenOf(request).orgId, { from: q.from, to: q.to, interval: q.interval, filters: parseFilters(q) }));
      });
  };
}
