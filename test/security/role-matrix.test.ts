// (b) For every permission route × role (Admin, Member, Viewer, and Mowt staff with and without consent) the
// server allows or denies exactly as the written matrix (./route-matrix.ts, from the docs) and
// src/teams/permissions.ts say — not as the route happens to declare: a registered route missing from the
// matrix, or declaring another access than the matrix gives it, fails here. Parameters other than :orgId get
// random ids and bodies are empty, so nothing is changed: an allowed call ends in the handler or validation
// (2xx/400/404 "no such …"), a denied one in the permission hook's 403.
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/create-user.js';
import { withOrg } from '../../src/db/tenant.js';
import { STAFF_CONSENT_REQUIRED, STAFF_READ_PERMISSIONS } from '../../src/staff/index.js';
import { can, ROLES, type Role } from '../../src/teams/index.js';
import { NOT_FOUND } from '../../src/teams/permission-hook.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';
import { EXEMPT_ROUTES, matrixKey, PERMISSION_ROUTES } from './route-matrix.js';
import { GOOD_PASSWORD, newMember, newOrg, newSignedInStaff, startTeamsApp, TestBrowser, uniqueEmail, type CollectedRoute, type SignedIn, type TeamsApp, type TestOrg } from './support.js';

/**
 * Staff-readable routes whose answer is about the signed-in member themself, so a staff member (no user, no
 * membership) is refused by the handler although the consent gate lets the request through.
 */
const STAFF_NOT_APPLICABLE: Readonly<Record<string, string>> = {
  'GET /api/orgs/:orgId/notifications/preferences': 'a member’s own notification preferences: staff have none',
};

/** A synced Stripe customer of `orgId` and its row in the organisation's analytics (its own data, in its scope). */
async function customerOf(app: TeamsApp, orgId: string, customerId: string): Promise<void> {
  const connectionId = crypto.randomUUID();
  await withOrg(app.db, orgId, async (tx) => {
    await sql`insert into stripe_connections (id, org_id, kind, stripe_account_id, livemode, label, token_masked, status, created_at, updated_at)
        values (${connectionId}, ${orgId}, 'restricted_key', 'acct_matrix', false, 'Matrix Stripe', 'rk_test_…m1', 'active', now(), now())`.execute(tx);
    const payload = await app.services.crypto.encryptField(orgId, { table: 'stripe_customers', column: 'payload_encrypted', rowId: customerId }, JSON.stringify({ id: customerId }), tx);
    await sql`insert into stripe_customers (org_id, connection_id, id, livemode, payload_encrypted, synced_at) values (${orgId}, ${connectionId}, ${customerId}, false, ${payload}, now())`.execute(tx);
    await sql`insert into analytics_customers (org_id, customer_key, connection_id, account_id, customer_id, status, mrr, native, currencies, plans, billing_intervals, plan_mrr, version, updated_at)
        values (${orgId}, ${`acct_matrix/${customerId}`}, ${connectionId}, 'acct_matrix', ${customerId}, 'active', 4200, '{}'::jsonb, '{GBP}', '{}', '{month}', '{}'::jsonb, 1, now())`.execute(tx);
  });
}

/** A valid body for every change a Member or Viewer may make (undefined: the request has none). */
const NON_ADMIN_CHANGES: Readonly<Record<string, unknown>> = {
  'POST /api/orgs/:orgId/audit/page-view': { page: '/overview' },
  'POST /api/orgs/:orgId/views': { name: 'My segment', filters: {} },
  'PATCH /api/orgs/:orgId/views/:viewId': { name: 'Renamed segment' },
  'DELETE /api/orgs/:orgId/views/:viewId': undefined,
  'POST /api/orgs/:orgId/annotations': { date: '2026-03-01', label: 'Price change' },
  'PATCH /api/orgs/:orgId/annotations/:annotationId': { label: 'Price change (EU)' },
  'DELETE /api/orgs/:orgId/annotations/:annotationId': undefined,
  'PUT /api/orgs/:orgId/notifications/preferences': { digest: 'weekly', notifyChannel: 'email', notifyEvents: ['churn'] },
};

function problem(res: LightMyRequestResponse): { detail: string; code: string } {
  // Downloads (the GDPR export's zip, CSV) are not JSON: only problem bodies carry a detail.
  if (!res.body || !String(res.headers['content-type'] ?? '').includes('json')) return { detail: '', code: '' };
  const body = JSON.parse(res.body) as { detail?: unknown; code?: unknown };
  return { detail: typeof body.detail === 'string' ? body.detail : '', code: typeof body.code === 'string' ? body.code : '' };
}

describe.each(DB_KINDS)('role matrix over every permission route on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let org: TestOrg;
  const users = {} as Record<Role, SignedIn>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    org = await newOrg(app, 'Matrix Ltd');
    users.admin = org.admin;
    users.member = await newMember(app, org.id, 'member');
    users.viewer = await newMember(app, org.id, 'viewer');
    await customerOf(app, org.id, 'cus_matrix_1');
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  const permissionRoutes = (): CollectedRoute[] => app.routes.filter((r) => matrixKey(r) in PERMISSION_ROUTES);
  const intended = (route: CollectedRoute): string => PERMISSION_ROUTES[matrixKey(route)] as string;
  const call = (browser: TestBrowser, method: string, url: string) =>
    browser.request(method as 'GET', url.replace(':orgId', org.id).replace(/:[A-Za-z0-9_]+/g, () => crypto.randomUUID()), method === 'GET' || method === 'HEAD' || method === 'DELETE' ? {} : { body: {} });

  it('lists every registered route in the matrix or a reasoned exemption, declaring exactly that access', () => {
    const problems: string[] = [];
    for (const route of app.routes) {
      const key = matrixKey(route);
      const permission = PERMISSION_ROUTES[key];
      const exempt = EXEMPT_ROUTES[key];
      if (permission === undefined && exempt === undefined) problems.push(`${route.method} ${route.url} (${route.access}): not in test/security/route-matrix.ts`);
      else if (permission !== undefined && exempt !== undefined) problems.push(`${key}: both in the matrix and exempt`);
      else if ((permission ?? exempt?.access) !== route.access) problems.push(`${route.method} ${route.url}: declares ${route.access}, the matrix says ${permission ?? exempt?.access}`);
      // An organisation's route is never exempt: its :orgId is what the role check and the isolation walk test.
      if (route.url.includes(':orgId') && permission === undefined) problems.push(`${key}: has :orgId but no permission in the matrix`);
      if (exempt !== undefined && exempt.why.trim().length < 8) problems.push(`${key}: exemption without a reason`);
    }
    const registered = new Set(app.routes.map(matrixKey));
    for (const key of [...Object.keys(PERMISSION_ROUTES), ...Object.keys(EXEMPT_ROUTES)]) {
      if (!registered.has(key)) problems.push(`${key}: in the matrix but not registered`);
    }
    expect(problems).toEqual([]);
  });

  it('allows and denies exactly as the matrix says', async () => {
    const routes = permissionRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(PERMISSION_ROUTES).length);
    const mismatches: string[] = [];
    for (const route of routes) {
      const access = intended(route);
      for (const role of ROLES) {
        const res = await call(users[role].browser, route.method, route.url);
        const { detail } = problem(res);
        // HEAD answers carry no body: there the status alone tells (GET handlers of these routes never 404).
        const head = route.method === 'HEAD';
        const denied = res.statusCode === 403 && (head || detail.includes('does not allow'));
        const hidden = res.statusCode === 404 && (head || detail === NOT_FOUND);
        const expected = can(role, access) ? 'allowed' : 'denied';
        const actual = hidden ? 'hidden' : denied ? 'denied' : res.statusCode === 401 || res.statusCode === 403 ? `refused ${res.statusCode}` : 'allowed';
        if (actual !== expected) mismatches.push(`${role} ${route.method} ${route.url} (${access}): expected ${expected}, got ${actual} ${res.statusCode} ${detail}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('lets a Member and a Viewer make every change their role allows, through to the handler (valid bodies)', async () => {
    // The walk above sends empty bodies, which validation stops before any handler could refuse an allowed role.
    const fresh: Record<string, () => Promise<string>> = {
      viewId: async () => ((await org.admin.browser.post(`/api/orgs/${org.id}/views`, { name: 'Shared view', filters: {} })).json() as { view: { id: string } }).view.id,
      annotationId: async () => ((await org.admin.browser.post(`/api/orgs/${org.id}/annotations`, { date: '2026-02-01', label: 'Shared note' })).json() as { annotation: { id: string } }).annotation.id,
    };
    const done: string[] = [];
    const refused: string[] = [];
    for (const route of permissionRoutes().filter((r) => r.method !== 'GET' && r.method !== 'HEAD')) {
      const key = matrixKey(route);
      for (const role of ['member', 'viewer'] as const) {
        if (!can(role, intended(route))) continue;
        if (!(key in NON_ADMIN_CHANGES)) throw new Error(`${key}: a ${role} may call it; add a valid body to NON_ADMIN_CHANGES`);
        let url = route.url.replace(':orgId', org.id);
        for (const [, p] of url.matchAll(/:([A-Za-z0-9_]+)/g)) {
          const make = fresh[p as string];
          if (!make) throw new Error(`${key}: no way to make a :${p} for this test`);
          url = url.replace(`:${p as string}`, await make());
        }
        const body = NON_ADMIN_CHANGES[key];
        const res = await users[role].browser.request(route.method as 'POST', url, body === undefined ? {} : { body });
        done.push(`${role} ${key}`);
        if (res.statusCode < 200 || res.statusCode > 299) refused.push(`${role} ${key}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(refused).toEqual([]);
    expect(done).toEqual(expect.arrayContaining(['member POST /api/orgs/:orgId/views', 'viewer POST /api/orgs/:orgId/audit/page-view']));
  });

  it('refuses every non-public API route without a session (401), and every permission route before 2FA (403)', async () => {
    const anonymous = new TestBrowser(app.server);
    const unexpected: string[] = [];
    for (const route of app.routes.filter((r) => r.url.startsWith('/api/') && r.access !== 'public')) {
      const res = await call(anonymous, route.method, route.url);
      if (res.statusCode !== 401) unexpected.push(`anonymous ${route.method} ${route.url}: ${res.statusCode}`);
    }
    // A member of the organisation who has only passed the password step (no TOTP enrolled yet).
    const email = uniqueEmail('no2fa');
    const { id } = await createUser(app.auth, { email, name: 'No Two Factor', password: GOOD_PASSWORD });
    await withOrg(app.db, org.id, (tx) => tx.insertInto('memberships').values({ org_id: org.id, user_id: id, role: 'admin' }).execute());
    const halfway = new TestBrowser(app.server);
    expect((await halfway.post('/api/auth/login', { email, password: GOOD_PASSWORD })).json()).toEqual({ next: 'enroll-totp' });
    for (const route of permissionRoutes()) {
      const res = await call(halfway, route.method, route.url);
      if (res.statusCode !== 403) unexpected.push(`before 2FA ${route.method} ${route.url}: ${res.statusCode}`);
    }
    expect(unexpected).toEqual([]);
  });

  it('lets Mowt staff in only with consent, then read-only and within the documented scope, on every permission route', async () => {
    const staff = await newSignedInStaff(app);
    const unexpected: string[] = [];
    // No grant: every permission route, writes included, is refused for want of consent.
    for (const route of permissionRoutes()) {
      const res = await call(staff.browser, route.method, route.url);
      const { code } = problem(res);
      if (res.statusCode !== 403 || (route.method !== 'HEAD' && code !== STAFF_CONSENT_REQUIRED)) unexpected.push(`no consent ${route.method} ${route.url}: ${res.statusCode} ${code}`);
    }
    const filed = await staff.browser.post('/api/staff/access-requests', { orgId: org.id, reason: 'Ticket 5150: the matrix walk needs access', hours: 4 });
    expect(filed.statusCode, filed.body).toBe(201);
    const grantId = (filed.json() as { request: { id: string } }).request.id;
    // A staff member never decides a grant, not even their own.
    const selfApproval = await staff.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/approve`, { hours: 4 });
    expect(selfApproval.statusCode).toBe(403);
    expect((await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/approve`, { hours: 4 })).statusCode).toBe(200);

    // Under the grant: GET/HEAD within org.read, dashboards.read, members.read, audit.read; nothing else.
    for (const route of permissionRoutes()) {
      const access = intended(route);
      const res = await call(staff.browser, route.method, route.url);
      const { detail, code } = problem(res);
      const read = route.method === 'GET' || route.method === 'HEAD';
      const key = matrixKey(route);
      const expected = !read ? 'staff_read_only' : !STAFF_READ_PERMISSIONS.includes(access) ? 'staff_out_of_scope' : key in STAFF_NOT_APPLICABLE ? 'not applicable' : 'allowed';
      let actual: string;
      if (res.statusCode === 403 && route.method === 'HEAD') actual = expected === 'allowed' || expected === 'not applicable' ? 'refused 403' : expected;
      else if (res.statusCode === 403 && code.startsWith('staff_')) actual = code;
      else if (res.statusCode === 401 || res.statusCode === 403 || (res.statusCode === 404 && (route.method === 'HEAD' || detail === NOT_FOUND))) actual = expected === 'not applicable' ? 'not applicable' : `refused ${res.statusCode}`;
      else actual = 'allowed';
      if (actual !== expected) unexpected.push(`staff ${route.method} ${route.url} (${access}): expected ${expected}, got ${actual} ${res.statusCode} ${detail}`);
    }
    expect(unexpected).toEqual([]);

    // What a Viewer sees includes a customer's page; the staff member's read of it is in the audit log by name.
    const customer = await staff.browser.request('GET', `/api/orgs/${org.id}/customers/cus_matrix_1`);
    expect(customer.statusCode, customer.body).toBe(200);
    expect(customer.json()).toMatchObject({ customer: { id: 'cus_matrix_1' } });
    const audit = await staff.browser.request('GET', `/api/orgs/${org.id}/audit?action=read.&limit=200`);
    expect(audit.statusCode, audit.body).toBe(200);
    const reads = (audit.json() as { entries: { action: string; actorType: string; actorId: string; targetId: string | null }[] }).entries;
    expect(reads).toContainEqual(expect.objectContaining({ action: 'read.customer', actorType: 'staff', actorId: staff.id, targetId: 'cus_matrix_1' }));
    expect(reads).toContainEqual(expect.objectContaining({ action: 'read.customer_list', actorType: 'staff', actorId: staff.id }));
    // An export of the log by staff is itself audited under the staff member's name.
    const exported = await staff.browser.request('GET', `/api/orgs/${org.id}/audit?format=json&action=read.`);
    expect(exported.statusCode).toBe(200);
    const exports = (await org.admin.browser.request('GET', `/api/orgs/${org.id}/audit?action=audit.exported`)).json() as { entries: { actorType: string; actorId: string }[] };
    expect(exports.entries).toMatchObject([{ actorType: 'staff', actorId: staff.id }]);
  });
});
