// Uptime probes: /healthz says the process is up; /readyz that the database answers and its schema is current.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ping, type Db } from '../db/database.js';
import { pendingMigrations } from '../db/migrate.js';
import { HttpProblem } from './problem.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const Live = Type.Object({ status: Type.Literal('ok') });
const Ready = Type.Object({ status: Type.Literal('ready') });

export function healthRoutes(db: Db) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/healthz', { schema: { querystring: NoQuery, response: { 200: Live } }, config: { access: 'public', rateLimit: 'health' } }, async () => ({ status: 'ok' as const }));

    app.get('/readyz', { schema: { querystring: NoQuery, response: { 200: Ready } }, config: { access: 'public', rateLimit: 'health' } }, async (request) => {
      let pending: string[];
      try {
        await ping(db.app);
        pending = await pendingMigrations(db.owner);
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        throw new HttpProblem(503, 'database is not reachable');
      }
      if (pending.length > 0) throw new HttpProblem(503, `database schema is not current: ${pending.length} migration(s) pending`);
      return { status: 'ready' as const };
    });
  };
}
