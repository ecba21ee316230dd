// Read-side numbers for the Prometheus gauges: job queue depth and Stripe sync lag. Read on scrape (cached
// briefly by the caller); everything parameterised, tenant rows read under each organisation's own scope.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg } from '../db/tenant.js';

/** Jobs waiting per queue (pg-boss 'created' and 'retry'); empty when the queue schema does not exist yet. */
export async function queueDepths(db: Db): Promise<Map<string, number>> {
  const exists = await sql<{ ok: boolean }>`select to_regclass('pgboss.job') is not null as ok`.execute(db.owner);
  if (!exists.rows[0]?.ok) return new Map();
  const rows = await sql<{ name: string; n: number }>`
    select name, count(*)::int as n from pgboss.job where state in ('created', 'retry') group by name`.execute(db.owner);
  return new Map(rows.rows.map((r) => [r.name, Number(r.n)]));
}

export interface SyncLag {
  /** Active connections, and the largest gap since any of them last synced successfully (seconds). */
  connections: number;
  maxLagSeconds: number;
  /** Connections that have never completed a sync step. */
  neverSynced: number;
}

export async function stripeSyncLag(db: Db, now: Date): Promise<SyncLag> {
  const orgs = await withoutOrg(db, (tx) => tx.selectFrom('stripe_connection_directory').select('org_id').distinct().execute());
  let connections = 0;
  let neverSynced = 0;
  let maxLag = 0;
  for (const { org_id: orgId } of orgs) {
    const rows = await withOrg(db, orgId, (tx) =>
      tx
        .selectFrom('stripe_connections as c')
        .leftJoin('stripe_sync_state as s', 's.connection_id', 'c.id')
        .select(['c.id', (eb) => eb.fn.max('s.last_success_at').as('last')])
        .where('c.org_id', '=', orgId)
        .where('c.status', '=', 'active')
        .groupBy('c.id')
        .execute(),
    );
    for (const r of rows) {
      connections += 1;
      if (!r.last) neverSynced += 1;
      else maxLag = Math.max(maxLag, (now.getTime() - new Date(r.last as unknown as string).getTime()) / 1000);
    }
  }
  return { connections, maxLagSeconds: maxLag, neverSynced };
}
