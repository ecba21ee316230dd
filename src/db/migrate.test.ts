import crypto from 'node:crypto';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, TEST_DATABASE_URL, withDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { openDatabase } from './database.js';
import { migrateToLatest, pendingMigrations, unmigratedReason } from './migrate.js';
import { migrations } from './migrations/index.js';
import { STRIPE_ID_COLUMNS } from './migrations/0021_stripe_id_collation.js';

describe.each(DB_KINDS)('migrations on %s', (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('apply from empty, report nothing pending, and are idempotent', async () => {
    t = await createTestDatabase(kind, { migrate: false });
    expect(await pendingMigrations(t.db.owner)).toEqual(Object.keys(migrations));
    // What operator commands print before refusing to run on an older schema.
    expect(await unmigratedReason(t.db.owner)).toBe(`the database has pending migrations (${Object.keys(migrations).join(', ')}); run \`mowt migrate\` first`);
    expect(await migrateToLatest(t.db.owner)).toEqual(Object.keys(migrations));
    expect(await pendingMigrations(t.db.owner)).toEqual([]);
    expect(await unmigratedReason(t.db.owner)).toBeNull();
    expect(await migrateToLatest(t.db.owner)).toEqual([]);
  });

  it('roll all the way down and up again', async () => {
    t = await createTestDatabase(kind);
    const migrator = new Migrator({ db: t.db.owner, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo(Object.keys(migrations)[0]!);
    expect(error).toBeUndefined();
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    expect(await pendingMigrations(t.db.owner)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(t.db.owner)).toEqual(Object.keys(migrations));
  });

  it('0018 gives the Stripe connections already in the directory their mode', async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const migrator = new Migrator({ db: t.db.owner, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('0017_customer_personal_columns')).error).toBeUndefined();
    const db = t.db.owner;
    const { rows: [org] } = await sql<{ id: string }>`insert into organisations (name) values ('Modes Ltd') returning id`.execute(db);
    const connect = async (livemode: boolean) => {
      const { rows: [c] } = await sql<{ id: string }>`insert into stripe_connections (org_id, kind, stripe_account_id, livemode, label, token_masked, status, created_at, updated_at)
        values (${org!.id}, 'oauth', 'acct_modes0001', ${livemode}, 'Modes', 'rk_…0001', 'active', now(), now()) returning id`.execute(db);
      await sql`insert into stripe_connection_directory (connection_id, org_id, stripe_account_id, kind) values (${c!.id}, ${org!.id}, 'acct_modes0001', 'oauth')`.execute(db);
      return c!.id;
    };
    const live = await connect(true);
    const test = await connect(false);
    expect(await migrateToLatest(db)).toContain('0018_directory_livemode');
    const { rows } = await sql<{ connection_id: string; livemode: boolean }>`select connection_id, livemode from stripe_connection_directory`.execute(db);
    expect(Object.fromEntries(rows.map((r) => [r.connection_id, r.livemode]))).toEqual({ [live]: true, [test]: false });
    // The connections' table is forced under row-level security again.
    const { rows: [forced] } = await sql<{ relforcerowsecurity: boolean }>`select relforcerowsecurity from pg_class where relname = 'stripe_connections'`.execute(db);
    expect(forced?.relforcerowsecurity).toBe(true);
  });

  it('0020 deletes the payloads Mowt no longer keeps, across organisations, and its down has them synced again', async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const migrator = new Migrator({ db: t.db.owner, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('0019_cash_disputes')).error).toBeUndefined();
    const db = t.db.owner;
    for (const name of ['Kept Ltd', 'Minimised Ltd']) {
      const { rows: [org] } = await sql<{ id: string }>`insert into organisations (name) values (${name}) returning id`.execute(db);
      const { rows: [c] } = await sql<{ id: string }>`insert into stripe_connections (org_id, kind, stripe_account_id, livemode, label, token_masked, status, created_at, updated_at)
        values (${org!.id}, 'restricted_key', ${`acct_${name.slice(0, 4)}0001`}, false, ${name}, 'rk_…0001', 'active', now(), now()) returning id`.execute(db);
      const row = (table: string, id: string, extra = sql``, extraValues = sql``) => sql`insert into ${sql.table(table)}
        (org_id, connection_id, id, livemode, payload_encrypted, synced_at ${extra}) values (${org!.id}, ${c!.id}, ${id}, false, 'sealed', now() ${extraValues})`.execute(db);
      await row('stripe_customers', 'cus_1');
      await row('stripe_charges', 'ch_1');
      await row('stripe_balance_transactions', 'txn_1');
      await row('stripe_events', 'evt_sub', sql`, type, received_via`, sql`, 'customer.subscription.updated', 'webhook'`);
      await row('stripe_events', 'evt_cus', sql`, type, received_via`, sql`, 'customer.updated', 'webhook'`);
      for (const type of ['customers', 'charges', 'events']) {
        await sql`insert into stripe_sync_state (org_id, connection_id, object_type, done) values (${org!.id}, ${c!.id}, ${type}, true)`.execute(db);
      }
    }
    expect(await migrateToLatest(db)).toContain('0020_stripe_payload_minimisation');
    const kept = async () => (await sql<{ t: string; id: string; kept: boolean }>`
      select 'stripe_customers' as t, id, payload_encrypted is not null as kept from stripe_customers
      union all select 'stripe_charges', id, payload_encrypted is not null from stripe_charges
      union all select 'stripe_balance_transactions', id, payload_encrypted is not null from stripe_balance_transactions
      union all select 'stripe_events', id, payload_encrypted is not null from stripe_events order by 1, 2, 3`.execute(db)).rows;
    const twice = <T,>(rows: T[]): T[] => rows.flatMap((r) => [r, r]);
    expect(await kept()).toEqual(twice([
      { t: 'stripe_balance_transactions', id: 'txn_1', kept: false }, { t: 'stripe_charges', id: 'ch_1', kept: false },
      { t: 'stripe_customers', id: 'cus_1', kept: true }, { t: 'stripe_events', id: 'evt_cus', kept: false }, { t: 'stripe_events', id: 'evt_sub', kept: true },
    ]));
    const { rows: forced } = await sql<{ relname: string; relforcerowsecurity: boolean }>`select relname, relforcerowsecurity from pg_class
      where relname in ('stripe_charges', 'stripe_events', 'stripe_products', 'stripe_refunds', 'stripe_disputes', 'stripe_balance_transactions')`.execute(db);
    expect(forced.length).toBe(6);
    expect(forced.every((r) => r.relforcerowsecurity)).toBe(true);

    // Down: rows without a payload go, and so does their types' sync state, so the next sync reads them again.
    expect((await migrator.migrateTo('0019_cash_disputes')).error).toBeUndefined();
    expect(await kept()).toEqual(twice([{ t: 'stripe_customers', id: 'cus_1', kept: true }, { t: 'stripe_events', id: 'evt_sub', kept: true }]));
    const { rows: state } = await sql<{ object_type: string }>`select object_type from stripe_sync_state order by 1`.execute(db);
    expect(state.map((r) => r.object_type)).toEqual(['customers', 'customers']);
  });

  it('0021 puts every Stripe id column of the synced tables under the "C" collation, indexes included, and its down restores the default', async () => {
    t = await createTestDatabase(kind);
    const db = t.db.owner;
    const synced = Object.keys(STRIPE_ID_COLUMNS);
    const idColumns = async () => (await sql<{ table_name: string; column_name: string; collation_name: string | null }>`
      select table_name, column_name, collation_name from information_schema.columns
      where table_schema = current_schema() and table_name = any(${synced}) and data_type = 'text' and (column_name = 'id' or column_name like '%\\_id')
      order by 1, 2`.execute(db)).rows;
    const columns = await idColumns();
    // Every id column of these tables is declared in the migration (a later column would be caught here) …
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`).sort()).toEqual(
      Object.entries(STRIPE_ID_COLUMNS).flatMap(([table, cols]) => cols.map((c) => `${table}.${c}`)).sort());
    expect(columns.every((c) => c.collation_name === 'C')).toBe(true);
    // … and the primary keys and secondary indexes on them compare under it too.
    const { rows: indexes } = await sql<{ name: string; collation: string }>`
      select i.relname as name, coll.collname as collation from pg_index x
      join pg_class i on i.oid = x.indexrelid join pg_class tab on tab.oid = x.indrelid
      join lateral unnest(x.indcollation) as c(oid) on c.oid <> 0 join pg_collation coll on coll.oid = c.oid
      where tab.relname = any(${synced})`.execute(db);
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['stripe_invoices_pkey', 'stripe_invoices_customer', 'stripe_events_object', 'stripe_balance_transactions_source']));
    expect(indexes.every((i) => i.collation === 'C')).toBe(true);
    // Comparing with a default-collation column (the analytics tables hold the same ids) stays allowed.
    await sql`select a.customer_key from analytics_customers a join stripe_customers s on s.connection_id = a.connection_id and s.id = a.customer_id`.execute(db);

    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('0020_stripe_payload_minimisation')).error).toBeUndefined();
    expect((await idColumns()).every((c) => c.collation_name === null)).toBe(true);
  });
});

// On Amazon RDS the migrating role is not a superuser, so forced row-level security binds it like any table
// owner: 0018 and 0020 lift the forcing for their cross-organisation statements. The suites above migrate
// as this machine's superuser, which bypasses row-level security whatever the forcing, so only an owner
// without that power shows the lift at work. PostgreSQL only: PGlite has a single, superuser role.
describe('migrations run by an owner that is not a superuser (PostgreSQL, as on RDS)', () => {
  it('0018 and 0020 reach every organisation\'s rows, which forced row-level security hides from that owner', async () => {
    const suffix = crypto.randomBytes(4).toString('hex');
    const role = `mowt_owner_${suffix}`;
    const name = `mowt_nosu_${suffix}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create role ${role} login nosuperuser createrole`);
    await admin.query(`create database ${name} owner ${role}`);
    const db = await openDatabase({ kind: 'postgres', url: withDatabase(TEST_DATABASE_URL, name, role) });
    const su = new pg.Client({ connectionString: withDatabase(TEST_DATABASE_URL, name) }); // fixtures and checks as the superuser: RLS does not apply
    await su.connect();
    try {
      const { rows: [owner] } = await su.query<{ rolsuper: boolean }>(`select rolsuper from pg_roles where rolname = $1`, [role]);
      expect(owner?.rolsuper).toBe(false);
      const migrator = new Migrator({ db: db.owner, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('0017_customer_personal_columns')).error).toBeUndefined();
      const connections: Record<string, boolean> = {};
      for (const [i, livemode] of [[1, true], [2, false]] as const) {
        const { rows: [org] } = await su.query<{ id: string }>(`insert into organisations (name) values ($1) returning id`, [`Org ${i} Ltd`]);
        const { rows: [c] } = await su.query<{ id: string }>(`insert into stripe_connections (org_id, kind, stripe_account_id, livemode, label, token_masked, status, created_at, updated_at)
          values ($1, 'oauth', $2, $3, 'Org', 'rk_…0001', 'active', now(), now()) returning id`, [org!.id, `acct_org${i}`, livemode]);
        await su.query(`insert into stripe_connection_directory (connection_id, org_id, stripe_account_id, kind) values ($1, $2, $3, 'oauth')`, [c!.id, org!.id, `acct_org${i}`]);
        await su.query(`insert into stripe_charges (org_id, connection_id, id, livemode, payload_encrypted, synced_at) values ($1, $2, 'ch_1', false, 'sealed', now())`, [org!.id, c!.id]);
        await su.query(`insert into stripe_events (org_id, connection_id, id, livemode, payload_encrypted, synced_at, type, received_via)
          values ($1, $2, 'evt_1', false, 'sealed', now(), 'customer.updated', 'webhook')`, [org!.id, c!.id]);
        connections[c!.id] = livemode;
      }
      // The owner sees none of those rows while the tables are forced: without the lift both migrations would miss them.
      const { rows: [seen] } = await sql<{ n: number }>`select (select count(*) from stripe_connections)::int + (select count(*) from stripe_charges)::int as n`.execute(db.owner);
      expect(seen?.n).toBe(0);

      expect(await migrateToLatest(db.owner)).toEqual(expect.arrayContaining(['0018_directory_livemode', '0020_stripe_payload_minimisation']));
      const { rows: directory } = await su.query<{ connection_id: string; livemode: boolean }>(`select connection_id, livemode from stripe_connection_directory`);
      expect(Object.fromEntries(directory.map((r) => [r.connection_id, r.livemode]))).toEqual(connections);
      const { rows: payloads } = await su.query<{ kept: number }>(`select (select count(*) from stripe_charges where payload_encrypted is not null)::int
        + (select count(*) from stripe_events where payload_encrypted is not null)::int as kept`);
      expect(payloads[0]?.kept).toBe(0);
      const { rows: unforced } = await su.query(`select relname from pg_class where relname in ('stripe_connections', 'stripe_charges', 'stripe_events') and not relforcerowsecurity`);
      expect(unforced).toEqual([]);
    } finally {
      await su.end();
      await db.close();
      await admin.query(`drop database if exists ${name}`);
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  });
});
