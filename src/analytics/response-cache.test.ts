// The dashboard's response cache: an answer is served again only while the stamp (state, settings, currency,
// timezone) and the day are unchanged, and never to another organisation. The snapshot rows are written by
// hand so the test can change a figure WITHOUT bumping the version and see the cached answer (proving the
// cache is used), then bump the version and see the new figure.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import { AnalyticsCache } from './cache.js';
import { mrrSeries, summary, type QueryDeps } from './queries.js';
import { ResponseCache, stableKey } from './response-cache.js';

const NOW = new Date('2026-11-01T12:00:00Z');

describe('stableKey', () => {
  it('ignores key order and undefined members, keeps array order', () => {
    expect(stableKey({ b: 1, a: [2, 1], c: undefined })).toBe(stableKey({ a: [2, 1], b: 1 }));
    expect(stableKey({ a: [1, 2] })).not.toBe(stableKey({ a: [2, 1] }));
  });
});

describe('ResponseCache bounds', () => {
  it('evicts the least recently used answer beyond its entry bound', async () => {
    const cache = new ResponseCache(2);
    let runs = 0;
    const get = (k: string) => cache.getOrCompute('org', k, async () => { runs++; return k; });
    await get('a');
    await get('b');
    await get('a'); // hit; b is now the oldest
    await get('c'); // evicts b
    expect(runs).toBe(3);
    await get('a');
    expect(runs).toBe(3);
    await get('b');
    expect(runs).toBe(4);
  });

  it('shares one computation between identical requests arriving together', async () => {
    const cache = new ResponseCache();
    let runs = 0;
    const slow = () => cache.getOrCompute('org', 'k', async () => { runs++; await new Promise((r) => setImmediate(r)); return runs; });
    expect(await Promise.all([slow(), slow(), slow()])).toEqual([1, 1, 1]);
  });
});

describe.each(DB_KINDS)('cached metric answers on %s', (kind) => {
  let t: TestDatabase;
  let deps: QueryDeps;
  const a = crypto.randomUUID();
  const b = crypto.randomUUID();

  const seed = async (orgId: string, mrr: number): Promise<void> => {
    await withOrg(t.db, orgId, async (tx) => {
      await tx.insertInto('organisations').values({ id: orgId, name: `Org ${mrr}` }).execute();
      await sql`insert into analytics_state (org_id, version, status, currency, timezone, range_from, range_to, settings_hash, opening_mrr, opening_paying, computed_at, updated_at)
        values (${orgId}, 1, 'ready', 'GBP', 'Europe/London', '2026-01-01', '2026-11-08', 'h', 0, 0, ${NOW}, ${NOW})`.execute(tx);
      // one flat day per day of the snapshot's range, as a recompute writes them
      await sql`insert into analytics_days (org_id, day, mrr, paying, new, expansion, contraction, churn, reactivation, fx, new_customers, churned_customers, reactivated_customers)
        select ${orgId}, d::date, ${mrr}, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 from generate_series('2026-01-01'::date, '2026-11-08'::date, interval '1 day') d`.execute(tx);
    });
  };
  const setMrr = (orgId: string, mrr: number) => withOrg(t.db, orgId, (tx) => sql`update analytics_days set mrr = ${mrr} where org_id = ${orgId}`.execute(tx));
  const bump = (orgId: string) => withOrg(t.db, orgId, (tx) => sql`update analytics_state set version = version + 1 where org_id = ${orgId}`.execute(tx));

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const noCrypto = { decryptField: async () => { throw new Error('not used'); } };
    deps = { db: t.db, crypto: noCrypto, clock: () => NOW, cache: new AnalyticsCache(noCrypto), responses: new ResponseCache() };
    await seed(a, 1000);
    await seed(b, 7000);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('serves the cached answer until the version moves, then the new figure', async () => {
    expect((await summary(deps, a, {})).mrr).toBe(1000);
    await setMrr(a, 2000);
    // same stamp: the cached answer (a cache that was not used would say 2000 here)
    expect((await summary(deps, a, {})).mrr).toBe(1000);
    await bump(a);
    expect((await summary(deps, a, {})).mrr).toBe(2000);
    // a settings change moves the stamp too
    await setMrr(a, 3000);
    await withOrg(t.db, a, (tx) => sql`insert into analytics_settings (org_id, updated_at) values (${a}, ${NOW})`.execute(tx));
    expect((await summary(deps, a, {})).mrr).toBe(3000);
  });

  it('never serves one organisation’s answer to another', async () => {
    const q = { from: '2026-10-01', to: '2026-10-31', interval: 'month' as const };
    const [ra, rb] = [await mrrSeries(deps, a, q), await mrrSeries(deps, b, q)];
    expect(ra[0]?.mrr).toBe(3000);
    expect(rb[0]?.mrr).toBe(7000);
    expect((await summary(deps, b, {})).mrr).toBe(7000);
  });

  it('a query that differs only in its parameters is its own entry', async () => {
    const month = await mrrSeries(deps, b, { from: '2026-09-01', to: '2026-10-31', interval: 'month' });
    const day = await mrrSeries(deps, b, { from: '2026-09-01', to: '2026-10-31', interval: 'day' });
    expect([month.length, day.length]).toEqual([2, 61]);
  });
});
