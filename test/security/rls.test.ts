// (c) Every tenant table forces RLS with a policy (structural, from pg_class/pg_policies), and a query with
// no organisation set returns nothing on every tenant table while organisation A never sees B's rows.
// (d) The checks can fail: sabotaging one policy as the owner makes them report it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';
import { dataProblems, ownerCounts, structuralProblems, tenantTables } from './rls-checks.js';
import { newMember, newOrg, startTeamsApp, uniqueEmail, type TeamsApp, type TestOrg } from './support.js';

async function seed(app: TeamsApp): Promise<{ a: TestOrg; b: TestOrg }> {
  const a = await newOrg(app, 'Org A');
  const b = await newOrg(app, 'Org B');
  for (const org of [a, b]) {
    await newMember(app, org.id, 'viewer');
    await org.admin.browser.post(`/api/orgs/${org.id}/invites`, { email: uniqueEmail('pending'), role: 'member' });
    await org.admin.browser.post(`/api/orgs/${org.id}/audit/page-view`, { page: '/dashboard' });
    await org.admin.browser.post(`/api/orgs/${org.id}/views`, { name: 'Segment', filters: { countries: ['GB'] } });
    await org.admin.browser.post(`/api/orgs/${org.id}/annotations`, { date: '2026-03-01', label: 'Price change' });
    await org.admin.browser.request('PUT', `/api/orgs/${org.id}/metrics/settings`, { body: { preset: 'stripe' } });
    await org.admin.browser.post(`/api/orgs/${org.id}/metrics/recompute`, {});
  }
  await app.services.analytics.idle();
  return { a, b };
}

describe.each(DB_KINDS)('row-level security of every tenant table on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let orgs: { a: TestOrg; b: TestOrg };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    orgs = await seed(app);
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  it('forces RLS with a policy on every table that has org_id; every other table is allow-listed with a reason', async () => {
    expect(await structuralProblems(t.db)).toEqual([]);
    const covered = (await tenantTables(t.db)).map((x) => x.table);
    for (const table of ['organisations', 'memberships', 'invites', 'audit_log', 'audit_chain_heads', 'saved_views', 'chart_annotations']) expect(covered).toContain(table);
  });

  it('shows nothing tenant-owned without an organisation, and never another organisation’s rows', async () => {
    const counts = await ownerCounts(t.db, ['organisations', 'memberships', 'invites', 'audit_log', 'saved_views', 'chart_annotations', 'analytics_settings', 'analytics_state'], orgs.b.id);
    expect(Object.values(counts).every((n) => n > 0)).toBe(true);
    expect(await dataProblems(t.db, orgs.a.id, orgs.a.admin.id)).toEqual([]);
    expect(await dataProblems(t.db, orgs.b.id, orgs.b.admin.id)).toEqual([]);
  });
});

describe.each(DB_KINDS)('the isolation checks can fail on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let orgs: { a: TestOrg; b: TestOrg };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    orgs = await seed(app);
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  it('reports a dropped policy, then the leak of a permissive one', async () => {
    expect(await structuralProblems(t.db)).toEqual([]);
    await sql`drop policy invites_tenant_isolation on invites`.execute(t.db.owner);
    expect(await structuralProblems(t.db)).toEqual(['invites: has org_id but no policy']);
    await sql`create policy invites_everything on invites to mowt_app using (true) with check (true)`.execute(t.db.owner);
    expect(await structuralProblems(t.db)).toEqual([]);
    const leaks = await dataProblems(t.db, orgs.a.id, orgs.a.admin.id);
    expect(leaks).toEqual([
      'invites: 2 organisation row(s) visible with no organisation set',
      'invites: 2 row(s) visible to a user with no organisation set',
      'invites: 1 row(s) of another organisation visible to A',
    ]);
  });

  it('reports RLS switched off on a table', async () => {
    await sql`alter table memberships no force row level security`.execute(t.db.owner);
    expect(await structuralProblems(t.db)).toContain('memberships: has org_id but RLS is not forced');
  });
});
