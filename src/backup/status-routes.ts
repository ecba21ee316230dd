// GET /api/orgs/:orgId/backups/status (settings.manage, Admins): what an organisation's Admin needs to trust
// its backups — its data region and where copies of it may go, the configured destination region, the last
// backup and the last restore test (pass/fail, when, how long). Nothing about the server's paths or keys.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { IsoTime } from '../http/schema-primitives.js';
import { orgOf } from '../teams/permission-hook.js';
import { lastBackupRun, lastRestoreTest } from './backup-log.js';
import { allowedDestinations } from './destination-policy.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

const iso = (d: Date | string) => new Date(d).toISOString();

/** The answer, declared: Fastify serialises exactly these fields, so nothing else (a path, a key) can leak. */
const BackupStatus = Type.Object({
  dataRegion: Type.String(),
  allowedBackupRegions: Type.Array(Type.String()),
  primaryRegion: Type.String(),
  backupDestination: Type.Object({ kind: Type.Union([Type.Literal('s3'), Type.Literal('local')]), region: Type.Union([Type.String(), Type.Null()]) }),
  snapshotIntervalMinutes: Type.Number(),
  lastBackup: Type.Union([Type.Null(), Type.Object({
    at: IsoTime,
    ok: Type.Boolean(),
    bytes: Type.Union([Type.Integer(), Type.Null()]),
    durationMs: Type.Integer(),
  })]),
  lastRestoreTest: Type.Union([Type.Null(), Type.Object({
    at: IsoTime,
    ok: Type.Boolean(),
    backupId: Type.Union([Type.String(), Type.Null()]),
    totalMs: Type.Integer(),
    tablesChecked: Type.Integer(),
    rowsChecked: Type.Integer(),
    valuesDecrypted: Type.Integer(),
    valuesShredded: Type.Integer(),
    problems: Type.Integer(),
  })]),
});

export function backupStatusRoutes(deps: { db: Db; config: Pick<Config, 'backup' | 'env'> }) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/orgs/:orgId/backups/status', { schema: { querystring: NoQuery, params: OrgParams, response: { 200: BackupStatus } }, config: { access: 'settings.manage', rateLimit: 'read' } }, async (request) => {
      const orgId = orgOf(request).id;
      const org = await withOrg(deps.db, orgId, (tx) => tx.selectFrom('organisations').select(['data_region']).where('id', '=', orgId).executeTakeFirst());
      if (!org) throw new HttpProblem(404, 'organisation not found');
      const [run, test] = await Promise.all([lastBackupRun(deps.db), lastRestoreTest(deps.db)]);
      const { backup } = deps.config;
      return {
        dataRegion: org.data_region,
        allowedBackupRegions: [...allowedDestinations(org.data_region)],
        primaryRegion: backup.primaryRegion,
        // Production recovery relies on replication and AWS Backup; `mowt backup` writes here.
        backupDestination: backup.s3 ? { kind: 's3' as const, region: backup.s3.region } : { kind: 'local' as const, region: null },
        snapshotIntervalMinutes: backup.intervalMinutes,
        lastBackup: run ? { at: iso(run.finished_at), ok: run.ok, bytes: run.bytes === null ? null : Number(run.bytes), durationMs: run.duration_ms } : null,
        lastRestoreTest: test
          ? {
              at: iso(test.finished_at),
              ok: test.ok,
              backupId: test.backup_id,
              totalMs: test.total_ms,
              tablesChecked: test.tables_checked,
              rowsChecked: Number(test.rows_checked),
              valuesDecrypted: test.values_decrypted,
              valuesShredded: test.values_shredded,
              problems: Array.isArray(test.problems) ? test.problems.length : 0,
            }
          : null,
      };
    });
  };
}
