// (b) For every permission route × role (Admin, Member, Viewer) the server allows or denies exactly as the
// matrix in src/teams/permissions.ts says. Routes come from the server's own registrations. Parameters
// other than :orgId get random ids and bodies are empty, so nothing is changed: an allowed call ends in the
// handler or validation (2xx/400/404 "no such …"), a denied one in the permission hook's 403.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/create-user.js';
import { withOrg } from '../../src/db/tenant.js';
import { can, ROLES, type Role } from '../../src/teams/index.js';
import { NOT_FOUND } from '../../src/teams/permission-hook.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';
import { GOOD_PASSWORD, newMember, newOrg, startTeamsApp, TestBrowser, uniqueEmail, type SignedIn, type TeamsApp, type TestOrg } from './support.js';

// 'api-token' routes (/api/v1) take bearer tokens only, never a session: src/tokens/tokens.test.ts covers them.
// 'staff' routes (/api/staff) take the staff session only: src/staff/staff-access.test.ts covers them.
const CLASSES = new Set(['public', 'session', 'user', 'api-token', 'staff']);

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

  const permissionRoutes = () => app.routes.filter((r) => r.url.startsWith('/api/') && !CLASSES.has(r.access));
  const call = (browser: TestBrowser, method: string, url: string) =>
    browser.request(method as 'GET', url.replace(':orgId', org.id).replace(/:[A-Za-z0-9_]+/g, () => crypto.randomUUID()), method === 'GET' || method === 'HEAD' || method === 'DELETE' ? {} : { body: {} });

  it('allows and denies exactly as the matrix says', async () => {
    const routes = permissionRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(11);
    const mismatches: string[] = [];
    for (const route of routes) {
      for (const role of ROLES) {
        const res = await call(users[role].browser, route.method, route.url);
        // Downloads (the GDPR export's zip) are not JSON: only problem bodies carry a detail.
        const json = String(res.headers['content-type'] ?? '').includes('json');
        const detail = res.body && json ? ((JSON.parse(res.body || '{}') as { detail?: string }).detail ?? '') : '';
        // HEAD answers carry no body: there the status alone tells (GET handlers of these routes never 404).
        const head = route.method === 'HEAD';
        const denied = res.statusCode === 403 && (head || detail.includes('does not allow'));
        const hidden = res.statusCode === 404 && (head || detail === NOT_FOUND);
        const expected = can(role, route.access) ? 'allowed' : 'denied';
        const actual = hidden ? 'hidden' : denied ? 'denied' : res.statusCode === 401 || res.statusCode === 403 ? `refused ${res.statusCode}` : 'allowed';
        if (actual !== expected) mismatches.push(`${role} ${route.method} ${route.url} (${route.access}): expected ${expected}, got ${actual} ${res.statusCode} ${detail}`);
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
