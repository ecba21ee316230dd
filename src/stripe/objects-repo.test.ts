// Child rows (subscription items, invoice lines) follow the parent state that was stored: a re-written
// parent's children are replaced, a page written twice leaves one set, and a stale event that the guard keeps
// from replacing its parent leaves the parent's children alone too.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import type { StripeObject } from './client.js';
import { insertConnection } from './connections.js';
import { kindOf } from './object-kinds.js';
import { CHILD_COLUMNS, upsertObjects, type WriteOptions } from './objects-repo.js';
import { stripeTestEnv, type StripeTestEnv } from './test-support.js';

const item = (id: string, quantity: number): Record<string, unknown> => ({
  id, object: 'subscription_item', created: 1_700_000_000, quantity, price: { id: 'price_basic', object: 'price' },
  current_period_start: 1_700_000_000, current_period_end: 1_702_592_000,
});
const subscription = (id: string, items: Record<string, unknown>[]): StripeObject => ({
  id, object: 'subscription', livemode: false, created: 1_700_000_000, status: 'active', customer: 'cus_1', currency: 'gbp',
  items: { object: 'list', data: items, has_more: false },
});

describe.each(DB_KINDS)('child rows of synced objects on %s', (kind) => {
  let env: StripeTestEnv;
  let connectionId: string;
  beforeEach(async () => {
    env = await stripeTestEnv(kind);
    connectionId = await withOrg(env.t.db, env.orgId, (tx) => insertConnection(tx, {
      orgId: env.orgId, kind: 'restricted_key', stripeAccountId: 'acct_childRows0001', livemode: false, accountCreated: null, label: 'children',
      tokenMasked: 'rk_test_…0000', createdBy: null, now: new Date(),
    }));
  });
  afterEach(async () => {
    await env.dispose();
  });

  const write = (objects: StripeObject[], opts: WriteOptions = {}) => withOrg(env.t.db, env.orgId, (tx) =>
    upsertObjects({ tx, crypto: env.deps.crypto, orgId: env.orgId, connectionId, now: new Date() }, kindOf('subscriptions'), objects, opts));
  const items = () => withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_subscription_items').select(['subscription_id', 'id', 'quantity'])
    .where('connection_id', '=', connectionId).orderBy('id').execute());

  it('replaces the items of a re-written subscription and keeps one set when a page is written twice', async () => {
    await write([subscription('sub_a', [item('si_a1', 1), item('si_a2', 2)]), subscription('sub_b', [item('si_b1', 1)])]);
    // The same page again (a resumed backfill re-reads its last page): nothing doubles.
    await write([subscription('sub_a', [item('si_a1', 1), item('si_a2', 2)]), subscription('sub_b', [item('si_b1', 1)])]);
    expect(await items()).toEqual([
      { subscription_id: 'sub_a', id: 'si_a1', quantity: 1 }, { subscription_id: 'sub_a', id: 'si_a2', quantity: 2 },
      { subscription_id: 'sub_b', id: 'si_b1', quantity: 1 },
    ]);
    // sub_a loses an item and changes the other; a new sub_c arrives in the same write; sub_b is untouched.
    await write([subscription('sub_a', [item('si_a1', 5)]), subscription('sub_c', [item('si_c1', 3)])]);
    expect(await items()).toEqual([
      { subscription_id: 'sub_a', id: 'si_a1', quantity: 5 }, { subscription_id: 'sub_b', id: 'si_b1', quantity: 1 },
      { subscription_id: 'sub_c', id: 'si_c1', quantity: 3 },
    ]);
  });

  it('sends child rows with the column types the tables have', async () => {
    const names: Record<string, string> = { 'timestamp with time zone': 'timestamptz' };
    for (const [table, columns] of Object.entries(CHILD_COLUMNS)) {
      const { rows } = await sql<{ column_name: string; data_type: string }>`select column_name, data_type from information_schema.columns
        where table_name = ${table} and column_name not in ('org_id', 'connection_id') order by ordinal_position`.execute(env.t.db.owner);
      expect(rows.map((r) => [r.column_name, names[r.data_type] ?? r.data_type]), table).toEqual(columns);
    }
  });

  it('leaves the items of a newer stored state when an older event arrives late', async () => {
    await write([subscription('sub_a', [item('si_new', 4)])], { eventCreated: 200, receivedVia: 'webhook' });
    await write([subscription('sub_a', [item('si_old', 1)])], { eventCreated: 100, receivedVia: 'webhook' });
    expect(await items()).toEqual([{ subscription_id: 'sub_a', id: 'si_new', quantity: 4 }]);
    // A newer event replaces them.
    await write([subscription('sub_a', [item('si_newer', 6)])], { eventCreated: 300, receivedVia: 'webhook' });
    expect(await items()).toEqual([{ subscription_id: 'sub_a', id: 'si_newer', quantity: 6 }]);
  });
});
