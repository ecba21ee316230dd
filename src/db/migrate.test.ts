import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { migrateToLatest, pendingMigrations, unmigratedReason } from './migrate.js';
import { migrations } from './migrations/index.js';

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
});
