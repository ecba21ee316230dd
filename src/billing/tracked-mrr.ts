// The organisation's tracked MRR for the plan band, read from the analytics slice's latest daily aggregate
// (src/analytics, docs/metrics-api.md) in the organisation's reporting currency. Bands are in GBP, so only a
// GBP-reporting organisation gets a figure; otherwise (or before analytics has computed anything) it is
// unknown and no band is enforced. Read with a parameterised query so this slice does not depend on the
// analytics table types; a missing table (analytics not migrated) also means "unknown".
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';

export function analyticsTrackedMrr(db: Db): (orgId: string) => Promise<number | null> {
  return async (orgId) => {
    try {
      return await withOrg(db, orgId, async (tx) => {
        const state = await sql<{ currency: string | null }>`select currency from analytics_state where org_id = ${orgId}`.execute(tx);
        if (state.rows[0]?.currency?.toUpperCase() !== 'GBP') return null;
        const day = await sql<{ mrr: string | number }>`select mrr from analytics_days where org_id = ${orgId} order by day desc limit 1`.execute(tx);
        const mrr = day.rows[0]?.mrr;
        return mrr === undefined ? null : Number(mrr);
      });
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') return null;
      throw err;
    }
  };
}
