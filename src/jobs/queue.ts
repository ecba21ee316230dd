// The job queue: pg-boss on the same database (no extra server). On PGlite its SQL goes through Kysely's
// connection lock, so a job query never lands inside another caller's open transaction.
import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Db } from '../db/database.js';

export type Queue = PgBoss;

export interface QueueOptions {
  /** PostgreSQL connection string; omit on PGlite. */
  connectionString?: string;
  /** false for processes that only send jobs (web tier) and leave scheduling/maintenance to workers. */
  supervise?: boolean;
  /** Seconds between maintenance passes (expiring a dead worker's jobs among them); pg-boss's default is 120. */
  maintenanceSeconds?: number;
}

const DEADLOCK = '40P01';
const CREATE_ATTEMPTS = 5;

/**
 * pg-boss creates each queue's partition with DDL (foreign keys, ATTACH PARTITION) whose table locks make two
 * processes creating queues at the same moment deadlock — workers starting together on a new database, or
 * after a release adds a queue — and PostgreSQL aborts one of them, which used to crash that process at
 * start. The aborted creation did nothing, so it is retried after a short random pause.
 */
function retryCreateOnDeadlock(boss: PgBoss): PgBoss {
  const create = boss.createQueue.bind(boss);
  boss.createQueue = async (name, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await create(name, options === undefined ? undefined : { ...options });
      } catch (err) {
        if ((err as { code?: unknown }).code !== DEADLOCK || attempt >= CREATE_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 100));
      }
    }
  };
  return boss;
}

export function createQueue(db: Db, opts: QueueOptions = {}): Queue {
  const common = {
    schema: 'pgboss', supervise: opts.supervise ?? true, schedule: opts.supervise ?? true, migrate: true,
    ...(opts.maintenanceSeconds === undefined ? {} : { maintenanceIntervalSeconds: opts.maintenanceSeconds }),
  };
  if (db.kind === 'postgres') {
    if (!opts.connectionString) throw new Error('createQueue needs the PostgreSQL connection string');
    return retryCreateOnDeadlock(new PgBoss({ ...common, connectionString: opts.connectionString, max: 4 }));
  }
  return new PgBoss({
    ...common,
    db: {
      executeSql: (text: string, values: unknown[] = []) =>
        db.owner.connection().execute(async (conn) => {
          const result = await conn.executeQuery(CompiledQuery.raw(text, values ?? []));
          return { rows: result.rows as unknown[] };
        }),
    },
  });
}
