import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { PAN_BAIT } from '../../emulator/index.js';
import { withOrg } from '../db/tenant.js';
import { backfill } from './backfill.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import { canonicalDump, checksum, stripeTestEnv, type StripeTestEnv } from './test-support.js';
import { listSyncState } from './sync-state.js';

const KEY = 'rk_test_backfillKey1234';

describe.each(DB_KINDS)('Stripe backfill on %s', (kind) => {
  let clean: StripeTestEnv;
  let cleanSum: string;
  let cleanConnection: string;
  let cleanTotals: Record<string, number>;

  beforeAll(async () => {
    clean = await stripeTestEnv(kind);
    cleanConnection = (await connectRestrictedKey(clean.deps, { orgId: clean.orgId, userId: clean.userId, restrictedKey: KEY })).connectionId;
    await backfill(clean.deps, clean.orgId, cleanConnection);
    cleanSum = checksum(await canonicalDump(clean, clean.orgId));
    const states = await withOrg(clean.t.db, clean.orgId, (tx) => listSyncState(tx, cleanConnection));
    cleanTotals = Object.fromEntries(states.map((s) => [s.object_type, Number(s.objects_synced)]));
  }, 180_000);
  afterAll(async () => clean?.dispose());

  it('stores every object type with counts matching the emulator, and sends it only GET requests', async () => {
    const states = await withOrg(clean.t.db, clean.orgId, (tx) => listSyncState(tx, cleanConnection));
    const byType = Object.fromEntries(states.map((s) => [s.object_type, Number(s.objects_synced)]));
    expect(byType['customers']).toBe(50);
    expect(states.filter((s) => s.object_type !== 'event_poll').every((s) => s.done)).toBe(true);
    // Multi-page types were read as several time slices; their own row still counts every object.
    expect(states.filter((s) => s.object_type.startsWith('invoices:')).length).toBeGreaterThan(1);
    const count = async (table: 'stripe_customers' | 'stripe_invoices' | 'stripe_subscription_items' | 'stripe_invoice_lines') =>
      Number((await withOrg(clean.t.db, clean.orgId, (tx) => sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`.execute(tx))).rows[0]?.n);
    expect(await count('stripe_customers')).toBe(50);
    expect(await count('stripe_invoices')).toBe(byType['invoices']);
    expect(await count('stripe_subscription_items')).toBeGreaterThan(0);
    expect(await count('stripe_invoice_lines')).toBeGreaterThanOrEqual(byType['invoices'] ?? 0);
    const log = clean.emulator.store.log.all();
    expect(log.length).toBeGreaterThan(10);
    expect(log.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('a second run over a finished backfill changes nothing (idempotent)', async () => {
    await withOrg(clean.t.db, clean.orgId, (tx) => tx.updateTable('stripe_sync_state').set({ done: false, cursor: null }).where('object_type', '!=', 'event_poll').execute());
    await backfill(clean.deps, clean.orgId, cleanConnection);
    expect(checksum(await canonicalDump(clean, clean.orgId))).toBe(cleanSum);
  }, 60_000);

  it('never stores the emulator’s card-number bait, in any text or json column of any table', async () => {
    const { rows: columns } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type in ('text', 'jsonb', 'json', 'character varying', 'character')`.execute(clean.t.db.owner);
    expect(columns.length).toBeGreaterThan(20);
    for (const { table_name, column_name } of columns) {
      for (const bait of PAN_BAIT) {
        const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table_name)}
          where ${sql.ref(column_name)}::text like ${'%' + bait + '%'}`.execute(clean.t.db.owner);
        expect(`${table_name}.${column_name}: ${rows[0]?.n}`).toBe(`${table_name}.${column_name}: 0`);
      }
    }
    // Encrypted columns are opaque to that scan, so also look inside every decrypted value.
    const dump = JSON.stringify(await canonicalDump(clean, clean.orgId));
    for (const bait of PAN_BAIT) expect(dump.includes(bait)).toBe(false);
    expect(dump).toContain('[redacted card number]');
  }, 60_000);

  it('with 10% 500s, 5% 429s and 2% resets ends identical to the fault-free sync, without duplicates', async () => {
    const faulty = await stripeTestEnv(kind, { faults: { error500Rate: 0.1, error429Rate: 0.05, resetRate: 0.02 } });
    try {
      const { connectionId } = await connectRestrictedKey(faulty.deps, { orgId: faulty.orgId, userId: faulty.userId, restrictedKey: KEY });
      await backfill(faulty.deps, faulty.orgId, connectionId);
      const statuses = faulty.emulator.store.log.all().map((r) => r.status ?? r.outcome);
      expect(statuses).toContain(500);
      expect(statuses).toContain(429);
      expect(statuses).toContain('connection reset');
      expect(checksum(await canonicalDump(faulty, faulty.orgId))).toBe(cleanSum);
    } finally {
      await faulty.dispose();
    }
  }, 120_000);

  it('a sync killed mid-backfill resumes after its last committed page and ends identical', async () => {
    const crashed = await stripeTestEnv(kind);
    try {
      const { connectionId } = await connectRestrictedKey(crashed.deps, { orgId: crashed.orgId, userId: crashed.userId, restrictedKey: KEY });
      // Dies inside the transaction of the second invoices page: that page rolls back, the first stays.
      await expect(backfill(crashed.deps, crashed.orgId, connectionId, {
        onPage: (type, page) => { if (type === 'invoices' && page === 2) throw new Error('killed'); },
      })).rejects.toThrow('killed');
      const mid = await withOrg(crashed.t.db, crashed.orgId, (tx) => listSyncState(tx, connectionId));
      const invoices = mid.find((s) => s.object_type === 'invoices');
      expect(invoices?.done).toBe(false);
      // The first page (100) committed and planned the time slices; the second page rolled back, while other
      // slices' pages in flight at the same moment may have committed.
      const total = cleanTotals['invoices'] ?? 0;
      expect(Number(invoices?.objects_synced)).toBeGreaterThanOrEqual(100);
      expect(Number(invoices?.objects_synced)).toBeLessThan(total);
      expect(invoices?.last_error).toBe('killed');
      const slices = mid.filter((s) => s.object_type.startsWith('invoices:'));
      expect(slices.length).toBeGreaterThan(1);
      expect(slices.some((s) => !s.done)).toBe(true);
      crashed.emulator.store.log.reset();
      await backfill(crashed.deps, crashed.orgId, connectionId);
      // The restart did not re-read the committed first page: every invoices request is a slice's (created filter).
      const invoiceQueries = crashed.emulator.store.log.all().filter((r) => r.path === '/v1/invoices').map((r) => decodeURIComponent(r.query));
      expect(invoiceQueries.length).toBeGreaterThan(0);
      expect(invoiceQueries.every((q) => q.includes('created[lt]'))).toBe(true);
      // Each slice resumed exactly where its committed cursor stood: a finished slice is not read again, an
      // unfinished one starts after its cursor (or from its top when none of its pages had committed).
      for (const slice of slices) {
        const lt = slice.object_type.split(':')[2];
        const own = invoiceQueries.filter((q) => q.includes(`created[lt]=${lt}&`) || q.endsWith(`created[lt]=${lt}`));
        if (slice.done) {
          expect(own).toEqual([]);
          continue;
        }
        expect(own.length).toBeGreaterThan(0);
        if (slice.cursor === null) expect(own[0]).not.toContain('starting_after');
        else expect(own[0]).toContain(`starting_after=${slice.cursor}`);
      }
      const after = await withOrg(crashed.t.db, crashed.orgId, (tx) => listSyncState(tx, connectionId));
      expect(after.filter((s) => s.object_type.startsWith('invoices')).every((s) => s.done)).toBe(true);
      expect(Number(after.find((s) => s.object_type === 'invoices')?.objects_synced)).toBe(total);
      expect(checksum(await canonicalDump(crashed, crashed.orgId))).toBe(cleanSum);
    } finally {
      await crashed.dispose();
    }
  }, 120_000);
});
