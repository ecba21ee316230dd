// /api/orgs/:orgId/audit: Admins (and Mowt staff under an approved grant) browse, filter and export (CSV/JSON)
// their organisation's audit log; every export is itself audited. /audit/page-view lets the dashboard record page
// views (once per user, page and minute).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { appendAudit, type AuditActor } from './append-audit.js';
import { auditPageView, requestContext } from './audit-read.js';
import { AuditPageSchema, PageViewRecordedSchema } from './audit-schemas.js';
import { auditCsv, queryAudit, type AuditFilters } from './query-audit.js';

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    result: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])),
  },
  { additionalProperties: false },
);
/** An export carries at most this many entries; narrow the filters (from/to) for more. */
export const MAX_EXPORT_ROWS = 50_000;

function orgIdOf(request: FastifyRequest): { orgId: string; userId: string } {
  if (!request.org || !request.auth) throw new HttpProblem(404, 'organisation not found');
  return { orgId: request.org.id, userId: request.auth.userId };
}

/**
 * The organisation and who reads its log: an Admin, or a Mowt staff member under an approved grant (the staff
 * gate admits staff to audit.read; docs/security-operations.md), who has no user session.
 */
function readerOf(request: FastifyRequest): { orgId: string; actor: AuditActor } {
  const staff = request.org?.staff;
  if (request.org && staff) return { orgId: request.org.id, actor: { type: 'staff', id: staff.id } };
  const { orgId, userId } = orgIdOf(request);
  return { orgId, actor: { type: 'user', id: userId } };
}

export function auditRoutes(deps: { db: Db; clock: Clock }) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/api/orgs/:orgId/audit',
      // Browsing counts as a read; ?format=csv|json downloads an export and spends the export budget.
      { schema: { querystring: AuditQuery, params: OrgParams, response: { 200: AuditPageSchema } }, config: { access: 'audit.read', rateLimit: (r) => ((r.query as { format?: string }).format ? 'export' : 'read') } },
      async (request, reply) => {
        const { orgId, actor } = readerOf(request);
        const q = request.query;
        const filters: AuditFilters = {
          actor: q.actor,
          action: q.action,
          target: q.target,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          result: q.result,
        };
        if (!q.format) {
          const limit = q.limit ?? 50;
          const entries = await withOrg(deps.db, orgId, (tx) => queryAudit(tx, orgId, filters, { limit: limit + 1, before: q.before }));
          const page = entries.slice(0, limit);
          const last = page[page.length - 1];
          return { entries: page, nextBefore: entries.length > limit && last ? last.seq : null };
        }
        const entries = await withOrg(deps.db, orgId, (tx) => queryAudit(tx, orgId, filters, { limit: MAX_EXPORT_ROWS }));
        const filterMeta = Object.fromEntries(Object.entries(q).filter(([k, v]) => v !== undefined && k !== 'format').map(([k, v]) => [k, String(v)]));
        await appendAudit(deps.db, {
          orgId,
          actor,
          action: 'audit.exported',
          target: { type: 'audit_log', id: orgId },
          ...requestContext(request),
          metadata: { format: q.format, rows: entries.length, filters: filterMeta },
          at: deps.clock(),
        });
        const stamp = deps.clock().toISOString().slice(0, 10);
        void reply.header('content-disposition', `attachment; filename="mowt-audit-${stamp}.${q.format}"`);
        // An export is pre-serialised text: Fastify sends a string with its content type set as it is, without
        // the response schema's serialiser (which describes the browsing answer above), so the untyped reply.
        const download = reply as FastifyReply;
        if (q.format === 'csv') return download.type('text/csv; charset=utf-8').send(auditCsv(entries));
        return download.type('application/json; charset=utf-8').send(JSON.stringify({ entries }));
      },
    );

    app.post(
      '/api/orgs/:orgId/audit/page-view',
      {
        schema: {
          querystring: Type.Object({}, { additionalProperties: false }),
          params: OrgParams,
          body: Type.Object({ page: Type.String({ minLength: 1, maxLength: 200, pattern: '^/[A-Za-z0-9/_:.-]*$' }) }, { additionalProperties: false }),
          response: { 200: PageViewRecordedSchema },
        },
        config: { access: 'dashboards.read', rateLimit: 'write' },
      },
      async (request) => {
        const { orgId, userId } = orgIdOf(request);
        const recorded = await auditPageView(deps.db, { orgId, userId, page: request.body.page, context: requestContext(request), at: deps.clock() });
        return { recorded };
      },
    );
  };
}
