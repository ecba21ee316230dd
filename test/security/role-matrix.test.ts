// (b) For every permission route × role (Admin, Member, Viewer) the
// server allows or denies exactly as the written matrix (./route-matrix.ts, from the docs) and
// src/teams/permissions.ts say — not as the route happens to declare: a registered route missing from the
// matrix, or declaring another access than the matrix gives it, fails here. Parameters other than :orgId get
// random ids and bodies are empty, so nothing is changed: an allowed call ends in the handler or validation
// (2xx/400/404 "no such …"), a denied one in the permission hook's 403.
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/create-user.js';
import { withOrg } from '../../src/db/tenant.js';
import { can, ROLES, type Role } from '../../src/teams/index.js';
import { NOT_FOUND } from '../../src/teams/permission-hook.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';
import { EXEMPT_ROUTES, matrixKey, PERMISSION_ROUTES } from './route-matrix.js';
import { GOOD_PASSWORD, newMember, newOrg, startTeamsApp, TestBrowser, uniqueEmail, type CollectedRoute, type SignedIn, type TeamsApp, type TestOrg } from './support.js';

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
});
