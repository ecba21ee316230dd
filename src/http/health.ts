// Uptime probes: /healthz says the process is up; /readyz that the database answers and its schema is current.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ping, type Db } from '../db/database.js';
import { pendingMigrations } from '../db/migrate.js';
import { HttpProblem } from './problem.js';

const NoQuery = Type.Object({}, { additionalProperties: false });

export function healthRoutes(db: Db) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/healthz', { schema: { querystring: NoQuery }, config: { access: 'public', rateLimit: 'health' } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { querystring: NoQuery }, config: { access: 'public', rateLimit: 'health' } }, async (request) => {
      let pending: string[];
      try {
        await ping(db.app);
        pending = await pendingMigrations(db.owner);
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        throw new HttpProblem(503, 'database is not reachable');
      }
      if (pending.length > 0) throw new HttpProblem(503, `database schema is not current: ${pending.length} migration(s) pending`);
      return { status: 'ready' };
    });
  };
}
