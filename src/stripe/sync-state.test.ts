import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import { insertConnection } from './connections.js';
import { advanceSlice, advanceSyncState, listSyncState, planSlices, startSyncState } from './sync-state.js';

describe.each(DB_KINDS)('sync state on %s', (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('a slice’s page moves the slice’s cursor and adds to both the slice’s and its type’s counts, in one statement; an unsliced page moves its type’s row', async () => {
    t = await createTestDatabase(kind);
    const db = t.db;
    const { rows: [org] } = await sql<{ id: string }>`insert into organisations (name) values ('Slices Ltd') returning id`.execute(db.owner);
    const orgId = org!.id;
    const connectionId = await withOrg(db, orgId, (tx) => insertConnection(tx, {
      orgId, kind: 'restricted_key', stripeAccountId: 'acct_slices001', livemode: false, accountCreated: null, label: 'Slices',
      tokenMasked: 'rk_test_…0001', createdBy: null, now: new Date(),
    }));
    const t0 = new Date('2026-11-27T06:00:00Z');
    const t1 = new Date('2026-11-27T06:00:05Z');
    await withOrg(db, orgId, async (tx) => {
      await startSyncState(tx, orgId, connectionId, 'invoices', t0);
      await planSlices(tx, orgId, connectionId, 'invoices', [{ gte: 100, lt: 200, cursor: 'in_first' }, { gte: 0, lt: 100, cursor: null }]);
      await advanceSlice(tx, connectionId, 'invoices', 'invoices:100:200', { cursor: 'in_a', cursorCreated: 150, firstCreated: 199, added: 100, done: false }, t0);
      await advanceSlice(tx, connectionId, 'invoices', 'invoices:100:200', { cursor: 'in_b', cursorCreated: 120, firstCreated: 149, added: 40, done: true }, t1);
      // An unsliced chain's page: the same statement, with the type's own row as the chain's.
      await startSyncState(tx, orgId, connectionId, 'coupons', t0);
      await advanceSyncState(tx, connectionId, 'coupons', { cursor: 'co_1', cursorCreated: 90, firstCreated: 99, added: 7, done: true }, t1);
    });
    const rows = await withOrg(db, orgId, (tx) => listSyncState(tx, connectionId));
    const pick = (type: string) => {
      const r = rows.find((x) => x.object_type === type);
      return r && { cursor: r.cursor, cursorCreated: r.cursor_created === null ? null : Number(r.cursor_created), firstCreated: r.first_created === null ? null : Number(r.first_created),
        done: r.done, objects: Number(r.objects_synced), pages: r.pages, lastSuccess: r.last_success_at?.toISOString() ?? null, finished: r.finished_at?.toISOString() ?? null };
    };
    expect(pick('invoices:100:200')).toEqual({ cursor: 'in_b', cursorCreated: 120, firstCreated: 199, done: true, objects: 140, pages: 2, lastSuccess: t1.toISOString(), finished: t1.toISOString() });
    // The type's own row counts the pages but keeps its own cursor and is finished only by finishType.
    expect(pick('invoices')).toEqual({ cursor: null, cursorCreated: null, firstCreated: null, done: false, objects: 140, pages: 2, lastSuccess: t1.toISOString(), finished: null });
    expect(pick('coupons')).toEqual({ cursor: 'co_1', cursorCreated: 90, firstCreated: 99, done: true, objects: 7, pages: 1, lastSuccess: t1.toISOString(), finished: t1.toISOString() });
    // The other slice is untouched.
    expect(pick('invoices:0:100')).toMatchObject({ cursor: null, done: false, objects: 0, pages: 0, lastSuccess: null });
  });
});
