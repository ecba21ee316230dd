// Row-Level Security on both databases: the app role is unprivileged, tenant tables force RLS, a
// transaction without an organisation sees nothing, and the isolation check fails when a policy is gone.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { APP_ROLE } from './database.js';
import { withOrg, withoutOrg } from './tenant.js';

async function createOrg(t: TestDatabase, name: string): Promise<string> {
  const id = crypto.randomUUID();
  await withOrg(t.db, id, (tx) => tx.insertInto('organisations').values({ id, name }).execute());
  return id;
}

/** Each organisation sees exactly its own row, and a transaction without an organisation sees none. */
async function isolationHolds(t: TestDatabase, a: string, b: string): Promise<boolean> {
  const seenBy = (org: string) => withOrg(t.db, org, (tx) => tx.selectFrom('organisations').select('id').execute());
  const [fromA, fromB] = [await seenBy(a), await seenBy(b)];
  const unscoped = await withoutOrg(t.db, (tx) => tx.selectFrom('organisations').select('id').execute());
  return (
    fromA.length === 1 && fromA[0]?.id === a && fromB.length === 1 && fromB[0]?.id === b && unscoped.length === 0
  );
}

describe.each(DB_KINDS)('row-level security on %s', (kind) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('runs requests as a role that is neither owner, superuser nor BYPASSRLS', async () => {
    const roleIn = (run: typeof withoutOrg) => run(t.db, async (tx) => {
      const r = await sql<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>`
        select current_user, r.rolsuper, r.rolbypassrls from pg_roles r where r.rolname = current_user`.execute(tx);
      return r.rows[0];
    });
    expect(await roleIn(withoutOrg)).toEqual({ current_user: APP_ROLE, rolsuper: false, rolbypassrls: false });
    // withOrg drops to the role by set_config('role', …) in the statement that sets the organisation.
    expect(await roleIn((db, fn) => withOrg(db, crypto.randomUUID(), fn))).toEqual({ current_user: APP_ROLE, rolsuper: false, rolbypassrls: false });
    const owners = await sql<{ tableowner: string }>`
      select distinct tableowner from pg_tables where schemaname = 'public'`.execute(t.db.owner);
    expect(owners.rows.map((r) => r.tableowner)).not.toContain(APP_ROLE);
  });

  it('forces RLS with a policy on every tenant table', async () => {
    const rows = await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }>`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity,
             (select count(*)::int from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname) as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and c.relname = 'organisations'`.execute(t.db.owner);
    expect(rows.rows).toEqual([{ relname: 'organisations', relrowsecurity: true, relforcerowsecurity: true, policies: 1 }]);
  });

  it('shows each organisation only its own rows and an unscoped transaction none', async () => {
    const a = await createOrg(t, 'Acme');
    const b = await createOrg(t, 'Globex');
    expect(await isolationHolds(t, a, b)).toBe(true);
  });

  it('a bulk-write transaction is the same tenant transaction, committing without waiting for the WAL flush', async () => {
    const org = await createOrg(t, 'Bulk');
    const settings = (opts?: { bulkWrite: boolean }) => withOrg(t.db, org, async (tx) => {
      const r = await sql<{ role: string; org: string; sync: string }>`
        select current_user as role, current_setting('app.org_id') as org, current_setting('synchronous_commit') as sync`.execute(tx);
      return r.rows[0];
    }, opts);
    expect(await settings({ bulkWrite: true })).toEqual({ role: APP_ROLE, org, sync: 'off' });
    // Transaction-local: the pooled connection's next transaction waits for the flush again.
    expect(await settings()).toEqual({ role: APP_ROLE, org, sync: 'on' });
  });

  it('refuses writes into another organisation', async () => {
    const a = await createOrg(t, 'Acme');
    const b = await createOrg(t, 'Globex');
    await expect(
      withOrg(t.db, a, (tx) => tx.insertInto('organisations').values({ id: crypto.randomUUID(), name: 'Sneaky' }).execute()),
    ).rejects.toThrow(/row-level security/);
    const updated = await withOrg(t.db, a, (tx) =>
      tx.updateTable('organisations').set({ name: 'Hijacked' }).where('id', '=', b).executeTakeFirst(),
    );
    expect(updated.numUpdatedRows).toBe(0n);
    const name = await withOrg(t.db, b, (tx) => tx.selectFrom('organisations').select('name').executeTakeFirstOrThrow());
    expect(name.name).toBe('Globex');
  });

  it('the isolation check fails once a policy is dropped (it can fail)', async () => {
    const a = await createOrg(t, 'Acme');
    const b = await createOrg(t, 'Globex');
    await sql`drop policy organisations_tenant_isolation on organisations`.execute(t.db.owner);
    expect(await isolationHolds(t, a, b)).toBe(false);
  });

  it('the isolation check fails when RLS is turned off (a leak is caught)', async () => {
    const a = await createOrg(t, 'Acme');
    const b = await createOrg(t, 'Globex');
    await sql`alter table organisations disable row level security`.execute(t.db.owner);
    expect(await isolationHolds(t, a, b)).toBe(false);
  });

  it('keeps the organisation id a bound parameter and rejects non-uuids before SQL', async () => {
    expect(() => withOrg(t.db, "x' or 1=1 --", async () => undefined)).toThrow(TypeError);
  });
});
