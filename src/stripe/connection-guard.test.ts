// What the synced tables' connection foreign keys used to guarantee, now kept by one lock per write and a
// deletion trigger (migration 0016): a disconnected connection leaves no synced row behind, not even one a
// page wrote while the disconnect ran, and nothing is written for a connection that is gone.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import { backfill } from './backfill.js';
import type { StripeObject } from './client.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import { insertConnection } from './connections.js';
import { disconnect } from './disconnect.js';
import { kindOf } from './object-kinds.js';
import { ConnectionGoneError, upsertObjects } from './objects-repo.js';
import { stripeTestEnv, SYNCED_TABLES, type StripeTestEnv } from './test-support.js';

const product = (id: string): StripeObject => ({ id, object: 'product', livemode: false, created: 1_700_000_000, name: `Plan ${id}`, active: true });

const otherConnection = (env: StripeTestEnv, orgId: string, account: string) => withOrg(env.t.db, orgId, (tx) => insertConnection(tx, {
  orgId, kind: 'restricted_key', stripeAccountId: account, livemode: false, accountCreated: null, label: account,
  tokenMasked: 'rk_test_…0000', createdBy: null, now: new Date(),
}));
const writeProduct = (env: StripeTestEnv, orgId: string, connectionId: string, id: string) => withOrg(env.t.db, orgId, (tx) =>
  upsertObjects({ tx, crypto: env.deps.crypto, orgId, connectionId, now: new Date() }, kindOf('products'), [product(id)]));
/** Rows of a connection in every synced table, counted as the owner (no row-level security in the way). */
const rowsOf = async (env: StripeTestEnv, connectionId: string) => {
  const counts: Record<string, number> = {};
  for (const table of SYNCED_TABLES) {
    const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)} where connection_id = ${connectionId}`.execute(env.t.db.owner);
    counts[table] = Number(rows[0]?.n);
  }
  return counts;
};
const NONE = Object.fromEntries(SYNCED_TABLES.map((t) => [t, 0]));

/** A one-shot signal between the test and a transaction it holds open. */
function signal(): { fired: Promise<void>; fire(): void } {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => { fire = resolve; });
  return { fired, fire };
}

describe.each(DB_KINDS)('synced rows and their connection on %s', (kind) => {
  let env: StripeTestEnv;
  beforeEach(async () => {
    env = await stripeTestEnv(kind);
  });
  afterEach(async () => {
    await env.dispose();
  });

  it('a disconnect deletes everything synced through that connection, and only that', async () => {
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_guardKey0001' });
    await backfill(env.deps, env.orgId, connectionId);
    const synced = await rowsOf(env, connectionId);
    // Every synced table, child tables included, holds rows of the connection before the disconnect.
    for (const table of SYNCED_TABLES) expect(synced[table], table).toBeGreaterThan(0);
    const other = await otherConnection(env, env.orgId, 'acct_otherAccount01');
    await writeProduct(env, env.orgId, other, 'prod_kept');

    await disconnect(env.deps, { orgId: env.orgId, connectionId, userId: env.userId });
    expect(await rowsOf(env, connectionId)).toEqual(NONE);
    expect((await rowsOf(env, other))['stripe_products']).toBe(1);

    // A write that arrives afterwards (a late webhook, a page in flight) is refused and leaves nothing.
    await expect(writeProduct(env, env.orgId, connectionId, 'prod_late')).rejects.toBeInstanceOf(ConnectionGoneError);
    expect(await rowsOf(env, connectionId)).toEqual(NONE);
  });

  it("a write naming another organisation's connection is refused as if the connection did not exist", async () => {
    const otherOrg = crypto.randomUUID();
    await withOrg(env.t.db, otherOrg, (tx) => tx.insertInto('organisations').values({ id: otherOrg, name: 'Other org' }).execute());
    const theirs = await otherConnection(env, otherOrg, 'acct_theirAccount01');
    await expect(writeProduct(env, env.orgId, theirs, 'prod_smuggled')).rejects.toBeInstanceOf(ConnectionGoneError);
    expect(await rowsOf(env, theirs)).toEqual(NONE);
  });
});

// Concurrency needs two sessions at once: PostgreSQL only (PGlite is a single connection).
describe('synced rows and a concurrent disconnect on postgres', () => {
  let env: StripeTestEnv;
  beforeEach(async () => {
    env = await stripeTestEnv('postgres');
  });
  afterEach(async () => {
    await env.dispose();
  });

  it('a disconnect waits for a page being written, then deletes it; a page started during a disconnect writes nothing', async () => {
    /** Resolves once some session of this database waits for a lock (the blocked statement is in place). */
    const someoneWaitsForALock = async () => {
      // Generous: under a loaded test run the blocked statement may take seconds to be issued.
      for (const until = Date.now() + 30_000; Date.now() < until;) {
        const { rows } = await sql<{ n: string | number }>`select count(*) as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(env.t.db.owner);
        if (Number(rows[0]?.n) > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no session ever waited for a lock');
    };

    // 1. A page transaction holds the connection; the disconnect waits for it and then deletes its rows.
    const first = await otherConnection(env, env.orgId, 'acct_inFlight00001');
    const held = signal();
    const written = signal();
    const page = withOrg(env.t.db, env.orgId, async (tx) => {
      await upsertObjects({ tx, crypto: env.deps.crypto, orgId: env.orgId, connectionId: first, now: new Date() }, kindOf('products'), [product('prod_inflight')]);
      written.fire();
      await held.fired;
    });
    await Promise.race([written.fired, page]); // the page holds its lock before the disconnect starts
    let disconnected = false;
    const gone = disconnect(env.deps, { orgId: env.orgId, connectionId: first, userId: env.userId }).then(() => { disconnected = true; });
    try {
      await someoneWaitsForALock();
      expect(disconnected).toBe(false);
    } finally {
      held.fire();
    }
    await page;
    await gone;
    expect(await rowsOf(env, first)).toEqual(NONE);

    // 2. A connection deleted but not yet committed: a page started meanwhile waits, then writes nothing.
    const second = await otherConnection(env, env.orgId, 'acct_deletedSoon01');
    const committing = signal();
    const deleted = signal();
    const deletion = withOrg(env.t.db, env.orgId, async (tx) => {
      await tx.deleteFrom('stripe_connections').where('id', '=', second).execute();
      deleted.fire();
      await committing.fired;
    });
    await Promise.race([deleted.fired, deletion]); // the deletion holds the row before the page starts
    const late = writeProduct(env, env.orgId, second, 'prod_during_delete');
    late.catch(() => undefined);
    try {
      await someoneWaitsForALock();
    } finally {
      committing.fire();
    }
    await deletion;
    await expect(late).rejects.toBeInstanceOf(ConnectionGoneError);
    expect(await rowsOf(env, second)).toEqual(NONE);
  });
});
