// GDPR routes: the organisation's full data export and its deletion. Thin: schema, permission (checked by
// the permission hook), sudo mode for deletion, one operation each.
//   GET    /api/orgs/:orgId/data-export   data.export  zip of JSON + CSV, streamed; audited (start and end)
//   DELETE /api/orgs/:orgId               org.delete   {confirmName}; needs a re-authentication in the last
//                                                      10 minutes; crypto-shreds and deletes (delete-organisation.ts)
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { appendAudit, requestContext } from '../audit/index.js';
import { assertSudo } from '../auth/change-password.js';
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { HttpProblem } from '../http/problem.js';
import { orgOf } from '../teams/permission-hook.js';
import { deleteOrganisation } from './delete-organisation.js';
import { exportOrganisation, type ExportDeps } from './export-archive.js';
import { OrgDeletedSchema } from './gdpr-schemas.js';

export interface GdprRouteDeps {
  db: Db;
  crypto: FieldCrypto;
  clock: Clock;
  listMembers: ExportDeps['listMembers'];
  /** Tells the anomaly rules about a completed export (bulk exports raise a security event). */
  onExport?: (e: { orgId: string; actor: { type: 'user'; id: string }; rows: number; kind: string; ip: string | null }) => Promise<void>;
}

const NoQuery = Type.Object({}, { additionalProperties: false });
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

function signedIn(request: FastifyRequest): { userId: string; recentAuthAt: Date | null } {
  if (!request.auth) throw new HttpProblem(401, 'sign in first');
  return { userId: request.auth.userId, recentAuthAt: request.auth.recentAuthAt };
}

export function gdprRoutes(deps: GdprRouteDeps) {
  // One export per organisation at a time: each reads every row it has, so a second concurrent one only
  // doubles the load for the same file.
  const exporting = new Set<string>();

  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/api/orgs/:orgId/data-export', { schema: { querystring: NoQuery, params: OrgParams }, config: { access: 'data.export', rateLimit: 'export', noResponseSchema: 'zip download' } }, async (request, reply) => {
      const orgId = orgOf(request).id;
      const { userId } = signedIn(request);
      if (exporting.has(orgId)) throw new HttpProblem(409, 'an export of this organisation is already running; try again when it has finished');
      exporting.add(orgId);
      const context = requestContext(request);
      const actor = { type: 'user' as const, id: userId };
      const startedAt = deps.clock();
      try {
        const { stream, summary } = await exportOrganisation({ db: deps.db, crypto: deps.crypto, listMembers: deps.listMembers, now: deps.clock }, orgId);
        // Recorded before a byte leaves: how often exports are taken is visible in the audit log even when
        // a download is abandoned.
        await appendAudit(deps.db, { orgId, actor, action: 'data.export_started', target: { type: 'export', id: null }, ...context, at: startedAt });
        request.raw.on('close', () => {
          if (!stream.readableEnded) stream.destroy();
        });
        void summary.then(
          (s) =>
            appendAudit(deps.db, {
              orgId,
              actor,
              action: 'data.exported',
              target: { type: 'export', id: null },
              ...context,
              at: deps.clock(),
              metadata: { tables: s.tables.length, rows: s.tables.reduce((n, t) => n + t.rows, 0), members: s.members, files: s.files },
            }).then(() => deps.onExport?.({ orgId, actor, rows: s.tables.reduce((n, t) => n + t.rows, 0), kind: 'gdpr', ip: request.ip })),
          (err: unknown) =>
            appendAudit(deps.db, { orgId, actor, action: 'data.exported', result: 'failure', target: { type: 'export', id: null }, ...context, at: deps.clock(), metadata: { error: String((err as Error).message).slice(0, 200) } }),
        ).catch((err: unknown) => request.log.error({ err }, 'could not audit the data export')).finally(() => exporting.delete(orgId));
        const day = startedAt.toISOString().slice(0, 10);
        return reply
          .header('content-disposition', `attachment; filename="mowt-export-${orgId}-${day}.zip"`)
          .header('cache-control', 'no-store')
          .type('application/zip')
          .send(stream);
      } catch (err) {
        exporting.delete(orgId);
        throw err;
      }
    });

    app.delete(
      '/api/orgs/:orgId',
      {
        schema: {
          querystring: NoQuery,
          params: OrgParams,
          body: Type.Object({ confirmName: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
          // The export above is a zip stream with no JSON answer, so only this route declares one.
          response: { 200: OrgDeletedSchema },
        },
        config: { access: 'org.delete', rateLimit: 'write' },
      },
      async (request) => {
        const orgId = orgOf(request).id;
        const { userId, recentAuthAt } = signedIn(request);
        assertSudo(deps, recentAuthAt);
        const report = await deleteOrganisation(deps, { orgId, actorId: userId, confirmName: request.body.confirmName, context: requestContext(request) });
        return { deleted: true as const, orgId, deletedAt: report.deletedAt.toISOString(), auditRetainedUntil: report.auditPurgeAfter.toISOString() };
      },
    );
  };
}
