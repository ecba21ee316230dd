// (a) Walks EVERY API route the server registered (collected by an onRoute hook, so a new route cannot be
// forgotten) as a fully signed-in Admin of organisation A, filling every path parameter with an id that
// belongs to organisation B. Every answer must be 404 — never 403, never B's data — and B must be unchanged.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { withOrg, withoutOrg } from '../../src/db/tenant.js';
import { listUserOrgs } from '../../src/teams/index.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';
import { matrixKey, PERMISSION_ROUTES } from './route-matrix.js';
import { newMember, newOrg, startTeamsApp, TestBrowser, uniqueEmail, type TeamsApp, type TestOrg } from './support.js';

/** A valid body for each organisation write route that names a record: B's record must still not be touched. */
const VALID_BODIES: Readonly<Record<string, unknown>> = {
  'PATCH /api/orgs/:orgId/members/:userId': { role: 'admin' },
  'PATCH /api/orgs/:orgId/views/:viewId': { name: 'Renamed by Alpha' },
  'PATCH /api/orgs/:orgId/annotations/:annotationId': { label: 'Relabelled by Alpha' },
  'PUT /api/orgs/:orgId/stripe/connections/:connectionId/webhook-secret': { secret: 'whsec_alpha_overwrites_bravo_0001' },
  'PUT /api/orgs/:orgId/stripe/connections/:connectionId/key': { restrictedKey: 'rk_test_alpha_overwrites_bravo_0001' },
  'POST /api/orgs/:orgId/stripe/connections/:connectionId/sync': {},
  'POST /api/orgs/:orgId/staff-access/:grantId/approve': { hours: 72 },
  'POST /api/orgs/:orgId/staff-access/:grantId/refuse': {},
  'POST /api/orgs/:orgId/staff-access/:grantId/revoke': {},
};

/** A staff access request pending in `orgId` (written as that organisation's data, like the Stripe connection below). */
async function staffGrantOf(app: TeamsApp, orgId: string): Promise<string> {
  const staffId = crypto.randomUUID();
  const grantId = crypto.randomUUID();
  await withoutOrg(app.db, (tx) =>
    sql`insert into staff_accounts (id, email_index, email_encrypted, name, created_at) values (${staffId}, ${`idx-${staffId}`}, 'unused', 'Staff Person', now())`.execute(tx),
  );
  await withOrg(app.db, orgId, (tx) =>
    sql`insert into staff_access_grants (id, org_id, staff_id, reason_encrypted, requested_hours, status, requested_at)
        values (${grantId}, ${orgId}, ${staffId}, 'unused', 4, 'pending', now())`.execute(tx),
  );
  return grantId;
}

/** Routes with no path parameter cannot name another organisation's records; everything else is walked. */
function pathParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
}

describe.each(DB_KINDS)('tenant isolation of every API route on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let a: TestOrg;
  let b: TestOrg;
  let bValues: Record<string, string>;
  let bEmail: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    a = await newOrg(app, 'Alpha Analytics');
    b = await newOrg(app, 'Bravo Secret Holdings');
    const bViewer = await newMember(app, b.id, 'viewer');
    bEmail = uniqueEmail('bravo-invitee');
    const invite = await b.admin.browser.post(`/api/orgs/${b.id}/invites`, { email: bEmail, role: 'member' });
    const bSession = await withoutOrg(app.db, (tx) =>
      tx.selectFrom('sessions').select('id').where('user_id', '=', b.admin.id).executeTakeFirstOrThrow(),
    );
    // A Stripe connection of B, written as B's own data (inside B's scope, as the app role).
    const connectionId = crypto.randomUUID();
    await withOrg(app.db, b.id, (tx) =>
      sql`insert into stripe_connections (id, org_id, kind, stripe_account_id, livemode, label, token_masked, status, created_at, updated_at)
          values (${connectionId}, ${b.id}, 'restricted_key', 'acct_bravo', false, 'Bravo Stripe', 'rk_test_…b0', 'active', now(), now())`.execute(tx),
    );
    // A synced Stripe customer of B and its row in B's analytics snapshot (B's own data, in B's scope).
    await withOrg(app.db, b.id, async (tx) => {
      const payload = await app.services.crypto.encryptField(b.id, { table: 'stripe_customers', column: 'payload_encrypted', rowId: 'cus_bravo_1' }, '{"id":"cus_bravo_1"}', tx);
      await sql`insert into stripe_customers (org_id, connection_id, id, livemode, payload_encrypted, synced_at) values (${b.id}, ${connectionId}, 'cus_bravo_1', false, ${payload}, now())`.execute(tx);
      await sql`insert into analytics_customers (org_id, customer_key, connection_id, account_id, customer_id, status, mrr, native, currencies, plans, billing_intervals, plan_mrr, version, updated_at)
          values (${b.id}, 'acct_bravo/cus_bravo_1', ${connectionId}, 'acct_bravo', 'cus_bravo_1', 'active', 4200, '{}'::jsonb, '{GBP}', '{}', '{month}', '{}'::jsonb, 1, now())`.execute(tx);
    });
    // A saved view and a chart annotation of B (views slice), made through B's own API.
    const bView = await b.admin.browser.post(`/api/orgs/${b.id}/views`, { name: 'Bravo segment', filters: {} });
    const bAnnotation = await b.admin.browser.post(`/api/orgs/${b.id}/annotations`, { date: '2026-03-01', label: 'Bravo price change' });
    // One value per path parameter name, each owned by organisation B. A slice adding a route with a new
    // parameter adds a B-owned value here (the walk refuses to guess).
    // B's Admin has just signed in (a fresh re-authentication), so may create an API token.
    const bToken = await b.admin.browser.post(`/api/orgs/${b.id}/api-tokens`, { name: 'Bravo token', scopes: ['org:read'], expiresInDays: 30 });
    bValues = {
      orgId: b.id,
      tokenId: (bToken.json() as { token: { id: string } }).token.id,
      userId: bViewer.id,
      inviteId: (invite.json() as { invite: { id: string } }).invite.id,
      sessionId: bSession.id,
      connectionId,
      viewId: (bView.json() as { view: { id: string } }).view.id,
      annotationId: (bAnnotation.json() as { annotation: { id: string } }).annotation.id,
      grantId: await staffGrantOf(app, b.id),
      customerId: 'cus_bravo_1',
      dataset: 'customers',
    };
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  it('answers 404 to a member of A on every route addressed with B’s ids', async () => {
    const api = app.routes.filter((r) => r.url.startsWith('/api/'));
    const walked: string[] = [];
    const results: { route: string; status: number }[] = [];
    const oracles: string[] = [];
    for (const route of api) {
      const params = pathParams(route.url);
      if (params.length === 0) continue;
      for (const p of params) {
        if (!(p in bValues)) throw new Error(`${route.method} ${route.url}: add an id owned by organisation B for :${p} to bValues`);
      }
      const opts = route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE' ? {} : { body: {} };
      const url = route.url.replace(/:([A-Za-z0-9_]+)/g, (_, p: string) => bValues[p] as string);
      const res = await a.admin.browser.request(route.method as 'GET', url, opts);
      // The same route for an organisation (and records) that exist nowhere: B must not be told apart from it.
      const nowhere = await a.admin.browser.request(route.method as 'GET', route.url.replace(/:([A-Za-z0-9_]+)/g, (_, p: string) => (p === 'customerId' ? 'cus_nowhere' : p === 'dataset' ? 'customers' : crypto.randomUUID())), opts);
      const label = `${route.method} ${route.url}`;
      walked.push(label);
      results.push({ route: label, status: res.statusCode });
      if (res.body !== nowhere.body || res.statusCode !== nowhere.statusCode) oracles.push(`${label}: B ${res.statusCode} ${res.body} / nowhere ${nowhere.statusCode} ${nowhere.body}`);
      expect(res.body).not.toContain('Bravo Secret Holdings');
      expect(res.body).not.toContain(bEmail);
      expect(res.body).not.toContain(b.admin.email);
    }
    expect(results.filter((r) => r.status !== 404)).toEqual([]);
    expect(oracles).toEqual([]);
    // The walk covered every organisation route of the written matrix (and whatever else is registered).
    for (const r of Object.keys(PERMISSION_ROUTES)) {
      expect(walked).toContain(r);
    }
  });

  it('answers A’s Admin addressing B’s records under A’s own organisation exactly like ids that exist nowhere', async () => {
    // Here the permission hook lets A's Admin through (A is their organisation), so each handler's own lookup of
    // the record is what is tested — with a valid body, so a write that found B's record would happen.
    const unknownValues: Record<string, string> = { customerId: `cus_${crypto.randomBytes(6).toString('hex')}` };
    const walked: string[] = [];
    const leaks: string[] = [];
    for (const route of app.routes.filter((r) => r.url.startsWith('/api/orgs/:orgId/'))) {
      const params = pathParams(route.url).filter((p) => p !== 'orgId' && p !== 'dataset');
      if (params.length === 0) continue;
      const key = matrixKey(route);
      const write = !['GET', 'HEAD', 'DELETE'].includes(route.method);
      if (write && !(key in VALID_BODIES)) throw new Error(`${key}: add a valid body to VALID_BODIES (an empty one stops at validation)`);
      const opts = write ? { body: VALID_BODIES[key] } : {};
      const fill = (values: Record<string, string>) => (_: string, p: string) => (p === 'orgId' ? a.id : (values[p] ?? crypto.randomUUID()));
      const onB = await a.admin.browser.request(route.method as 'GET', route.url.replace(/:([A-Za-z0-9_]+)/g, fill(bValues)), opts);
      const nowhere = await a.admin.browser.request(route.method as 'GET', route.url.replace(/:([A-Za-z0-9_]+)/g, fill(unknownValues)), opts);
      walked.push(key);
      if (onB.statusCode !== 404) leaks.push(`${route.method} ${route.url}: ${onB.statusCode} ${onB.body.slice(0, 200)}`);
      else if (onB.body !== nowhere.body || nowhere.statusCode !== 404) leaks.push(`${route.method} ${route.url}: B's id answers ${onB.body}, an unknown one ${nowhere.statusCode} ${nowhere.body}`);
      for (const secret of ['Bravo', bEmail, b.admin.email]) if (onB.body.includes(secret)) leaks.push(`${route.method} ${route.url}: answer names ${secret}`);
    }
    expect(leaks).toEqual([]);
    expect(walked).toEqual(expect.arrayContaining(Object.keys(VALID_BODIES)));
    expect(walked.length).toBeGreaterThanOrEqual(16);
    // A public webhook endpoint answers an unsigned call for B's connection exactly like one for no connection.
    const anonymous = new TestBrowser(app.server);
    const hooks = await Promise.all([bValues.connectionId as string, crypto.randomUUID()].map((id) => anonymous.request('POST', `/webhooks/stripe/${id}`, { body: { id: 'evt_1' }, csrf: false, origin: null })));
    expect(hooks.map((h) => `${h.statusCode} ${h.body}`)).toEqual(hooks.map(() => `${hooks[1]?.statusCode} ${hooks[1]?.body}`));
  });

  it('answers 404 to a member of A asking A’s analytics for B’s customer (no B data in any answer)', async () => {
    for (const path of [
      `/api/orgs/${a.id}/customers/cus_bravo_1`,
      `/api/orgs/${a.id}/customers/cus_bravo_1?account=acct_bravo`,
      `/api/orgs/${a.id}/exports/customer-timeline?customerId=cus_bravo_1`,
    ]) {
      const res = await a.admin.browser.request('GET', path);
      expect(`${path} ${res.statusCode}`).toBe(`${path} 404`);
      expect(res.body).not.toContain('Bravo');
    }
    const list = await a.admin.browser.request('GET', `/api/orgs/${a.id}/customers?q=bravo`);
    expect(list.statusCode).toBe(200);
    expect((list.json() as { total: number }).total).toBe(0);
    const csv = await a.admin.browser.request('GET', `/api/orgs/${a.id}/exports/customers`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('cus_bravo_1');
  });

  it('left organisation B exactly as it was', async () => {
    expect(await listUserOrgs(app.db, b.admin.id)).toEqual([{ id: b.id, name: 'Bravo Secret Holdings', role: 'admin' }]);
    expect(await listUserOrgs(app.db, bValues.userId as string)).toEqual([{ id: b.id, name: 'Bravo Secret Holdings', role: 'viewer' }]);
    const invites = await b.admin.browser.request('GET', `/api/orgs/${b.id}/invites`);
    expect(invites.statusCode).toBe(200);
    expect((invites.json() as { invites: { email: string }[] }).invites.map((i) => i.email)).toEqual([bEmail]);
    const views = await b.admin.browser.request('GET', `/api/orgs/${b.id}/views`);
    expect((views.json() as { views: { id: string; name: string }[] }).views).toMatchObject([{ id: bValues.viewId, name: 'Bravo segment' }]);
    const annotations = await b.admin.browser.request('GET', `/api/orgs/${b.id}/annotations`);
    expect((annotations.json() as { annotations: { id: string; label: string }[] }).annotations).toMatchObject([{ id: bValues.annotationId, label: 'Bravo price change' }]);
    const tokens = await b.admin.browser.request('GET', `/api/orgs/${b.id}/api-tokens`);
    expect((tokens.json() as { tokens: { id: string }[] }).tokens.map((x) => x.id)).toEqual([bValues.tokenId]);
    const connections = await b.admin.browser.request('GET', `/api/orgs/${b.id}/stripe/connections`);
    expect((connections.json() as { connections: unknown[] }).connections).toMatchObject([{ id: bValues.connectionId, tokenMasked: 'rk_test_…b0', webhookSecretSet: false, status: 'active' }]);
    // (The grant's staff account is a bare row, so it is read from B's table rather than through the list.)
    const grants = await withOrg(app.db, b.id, (tx) => tx.selectFrom('staff_access_grants').select(['id', 'status']).execute());
    expect(grants).toEqual([{ id: bValues.grantId, status: 'pending' }]);
  });

  it('answers a random organisation id exactly like B’s (no existence oracle)', async () => {
    const unknown = await a.admin.browser.request('GET', `/api/orgs/${crypto.randomUUID()}`);
    const other = await a.admin.browser.request('GET', `/api/orgs/${b.id}`);
    const malformed = await a.admin.browser.request('GET', '/api/orgs/not-a-uuid/members');
    expect([unknown.statusCode, other.statusCode, malformed.statusCode]).toEqual([404, 404, 404]);
    expect(unknown.json()).toEqual(other.json());
  });
});
