// Staff access only with consent, through the real application on PGlite and PostgreSQL:
// - a staff account (own setup, login with password + TOTP, own cookie) is not a user and has no membership;
// - without an approved grant EVERY organisation GET route (walked from the server's registrations) refuses;
// - an Admin approves for ≤ 72 h; staff then read, read-only, within scope; each request is in the org's
//   audit log; access ends by itself at expiry and at once on revocation;
// - offboarding ends sessions, grants and the setup link at once; the access review reports everything.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../auth/totp.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { GOOD_PASSWORD, newMember, newOrg, startTeamsApp, TestBrowser, type SignedIn, type TeamsApp, type TestOrg } from '../../test/security/support.js';
import { createStaff } from './staff-accounts.js';
import { runAccessReview, runStaffCreate, runStaffDisable } from './staff-command.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { STAFF_COOKIE } from './staff-sessions.js';
import {
  GrantDecidedSchema,
  GrantRequestedSchema,
  OrgGrantListSchema,
  OwnGrantListSchema,
  StaffMeSchema,
  StaffOkSchema,
  StaffSetupConfirmedSchema,
  StaffSetupSchema,
} from './staff-schemas.js';

const HOUR = 3_600_000;
const STAFF_PASSWORD = 'kettle orbit marmalade 71 quietly';
const CLASSES = new Set(['public', 'session', 'user', 'api-token', 'staff']);

interface Staff {
  id: string;
  email: string;
  secret: string;
  browser: TestBrowser;
}

async function newStaff(app: TeamsApp, email = `support.${crypto.randomBytes(3).toString('hex')}@mowt.test`): Promise<Staff> {
  const { id, token } = await createStaff({ db: app.db, crypto: app.services.crypto, clock: app.clock }, { email, name: 'Sam Support' });
  const browser = new TestBrowser(app.server, '198.51.100.7');
  const setup = await browser.post('/api/staff/setup', { token, password: STAFF_PASSWORD });
  expect(setup.statusCode).toBe(200);
  expect(shapeReport(StaffSetupSchema, setup.json())).toEqual({ errors: [], keys: [], unchecked: [] });
  const { secret } = setup.json() as { secret: string };
  const confirm = await browser.post('/api/staff/setup/confirm', { token, code: totpCodeAt(secret, app.clock()) });
  expect(confirm.statusCode).toBe(200);
  expect(shapeReport(StaffSetupConfirmedSchema, confirm.json())).toEqual({ errors: [], keys: [], unchecked: [] });
  // The link is spent.
  expect((await browser.post('/api/staff/setup', { token, password: STAFF_PASSWORD })).statusCode).toBe(400);
  const staff = { id, email, secret, browser };
  await staffLogin(app, staff);
  return staff;
}

async function staffLogin(app: TeamsApp, staff: Staff) {
  app.clock.advance(30_000);
  const res = await staff.browser.post('/api/staff/login', { email: staff.email, password: STAFF_PASSWORD, code: totpCodeAt(staff.secret, app.clock()) });
  expect(res.statusCode, res.body).toBe(200);
  expect(shapeReport(StaffOkSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
  return res;
}

const fill = (url: string, orgId: string) => url.replace(':orgId', orgId).replace(/:[A-Za-z0-9_]+/g, () => crypto.randomUUID());

describe.each(DB_KINDS)('staff access with consent on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let org: TestOrg;
  let other: TestOrg;
  let member: SignedIn;
  let staff: Staff;
  let startedMonth: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    startedMonth = app.clock().toISOString().slice(0, 7);
    org = await newOrg(app, 'Consent Ltd');
    other = await newOrg(app, 'Other Co');
    member = await newMember(app, org.id, 'member');
    staff = await newStaff(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  const orgGetRoutes = () => app.routes.filter((r) => r.method === 'GET' && r.url.startsWith('/api/orgs/:orgId') && !CLASSES.has(r.access));

  it('keeps staff apart from customers: no user session, no membership, login needs the TOTP code', async () => {
    expect(staff.browser.cookies.has(STAFF_COOKIE)).toBe(true);
    expect((await staff.browser.request('GET', '/api/me')).statusCode).toBe(401);
    const me = await staff.browser.request('GET', '/api/staff/me');
    expect(me.json()).toMatchObject({ id: staff.id, email: staff.email });
    expect(shapeReport(StaffMeSchema, me.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // A customer session is not a staff session.
    expect((await org.admin.browser.request('GET', '/api/staff/me')).statusCode).toBe(401);
    // Password alone, or a wrong code, is refused with the same answer.
    const fresh = new TestBrowser(app.server, '198.51.100.8');
    const noCode = await fresh.post('/api/staff/login', { email: staff.email, password: STAFF_PASSWORD, code: '000000' });
    expect(noCode.statusCode).toBe(401);
    const wrongPassword = await fresh.post('/api/staff/login', { email: staff.email, password: 'not the password at all', code: totpCodeAt(staff.secret, app.clock()) });
    expect(wrongPassword.statusCode).toBe(401);
    expect(noCode.json()).toEqual(wrongPassword.json());
    const memberships = await withoutOrg(app.db, (tx) => tx.selectFrom('memberships').select('user_id').where('user_id', '=', staff.id).execute());
    expect(memberships).toEqual([]);
    // Signing out of a second session ends that one only.
    const other = { ...staff, browser: new TestBrowser(app.server, '198.51.100.10') };
    await staffLogin(app, other);
    const logout = await other.browser.post('/api/staff/logout', {});
    expect(logout.statusCode).toBe(200);
    expect(shapeReport(StaffOkSchema, logout.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await other.browser.request('GET', '/api/staff/me')).statusCode).toBe(401);
    expect((await staff.browser.request('GET', '/api/staff/me')).statusCode).toBe(200);
  });

  it('refuses every organisation GET route without consent, and audits each refusal in that organisation', async () => {
    const routes = orgGetRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(8);
    const allowed: string[] = [];
    for (const r of routes) {
      const res = await staff.browser.request('GET', fill(r.url, org.id));
      if (res.statusCode !== 403 || (res.json() as { code?: string }).code !== 'staff_consent_required') allowed.push(`${r.url}: ${res.statusCode}`);
      expect(res.body).not.toContain('Consent Ltd');
    }
    expect(allowed).toEqual([]);
    const refusals = await withOrg(app.db, org.id, (tx) =>
      tx.selectFrom('audit_log').select(['actor_type', 'result']).where('org_id', '=', org.id).where('action', '=', 'staff.request').execute(),
    );
    expect(refusals).toHaveLength(routes.length);
    expect(refusals.every((e) => e.actor_type === 'staff' && e.result === 'denied')).toBe(true);
    // Writes are refused as well, and nothing changed.
    const patch = await staff.browser.request('PATCH', `/api/orgs/${org.id}`, { body: { name: 'Hijacked' } });
    expect(patch.statusCode).toBe(403);
    // An unknown organisation answers 404 like for customers.
    expect((await staff.browser.request('GET', `/api/orgs/${crypto.randomUUID()}`)).statusCode).toBe(404);
  });

  it('lets an Admin approve for at most 72 hours; staff then read, read-only, within scope, every request audited', async () => {
    const filed = await staff.browser.post('/api/staff/access-requests', { orgId: org.id, reason: 'Ticket 4711: MRR chart shows a gap in March', hours: 8 });
    expect(filed.statusCode, filed.body).toBe(201);
    expect(shapeReport(GrantRequestedSchema, filed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const grantId = (filed.json() as { request: { id: string } }).request.id;
    // The Admins were told.
    expect(app.mail.sent.some((m) => m.to === org.admin.email && m.subject.includes('Consent Ltd'))).toBe(true);

    // Only Admins decide: a Member is refused by the permission hook; the list shows the reason and who asks.
    expect((await member.browser.request('GET', `/api/orgs/${org.id}/staff-access`)).statusCode).toBe(403);
    const list = await org.admin.browser.request('GET', `/api/orgs/${org.id}/staff-access`);
    expect(list.json()).toMatchObject({ requests: [{ id: grantId, state: 'pending', reason: 'Ticket 4711: MRR chart shows a gap in March', staff: { email: staff.email } }] });
    expect(shapeReport(OrgGrantListSchema, list.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // Another organisation's Admin cannot see or decide it.
    expect((await other.admin.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/approve`, { hours: 2 })).statusCode).toBe(404);
    expect((await other.admin.browser.post(`/api/orgs/${other.id}/staff-access/${grantId}/approve`, { hours: 2 })).statusCode).toBe(404);

    expect((await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/approve`, { hours: 73 })).statusCode).toBe(400);
    const approved = await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/approve`, { hours: 2 });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ request: { state: 'active' } });
    expect(shapeReport(GrantDecidedSchema, approved.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // The staff member sees their own requests, without the reasons.
    const own = await staff.browser.request('GET', '/api/staff/access-requests');
    expect(own.json()).toMatchObject({ requests: [{ id: grantId, orgId: org.id, state: 'active', requestedHours: 8 }] });
    expect(shapeReport(OwnGrantListSchema, own.json())).toEqual({ errors: [], keys: [], unchecked: [] });

    const settings = await staff.browser.request('GET', `/api/orgs/${org.id}`);
    expect(settings.statusCode, settings.body).toBe(200);
    expect(settings.json()).toMatchObject({ name: 'Consent Ltd' });
    expect((await staff.browser.request('GET', `/api/orgs/${org.id}/members`)).statusCode).toBe(200);
    // Read-only, and only within scope; never another organisation.
    const write = await staff.browser.request('PATCH', `/api/orgs/${org.id}`, { body: { name: 'Changed by staff' } });
    expect([write.statusCode, (write.json() as { code?: string }).code]).toEqual([403, 'staff_read_only']);
    const scope = await staff.browser.request('GET', `/api/orgs/${org.id}/staff-access`);
    expect([scope.statusCode, (scope.json() as { code?: string }).code]).toEqual([403, 'staff_out_of_scope']);
    expect((await staff.browser.request('GET', `/api/orgs/${other.id}`)).statusCode).toBe(403);
    expect((await org.admin.browser.request('GET', `/api/orgs/${org.id}`)).json()).toMatchObject({ name: 'Consent Ltd' });

    // The Admin sees every staff request in the audit log, and a staff-access security event was raised.
    const audit = await org.admin.browser.request('GET', `/api/orgs/${org.id}/audit?action=staff.`);
    const entries = (audit.json() as { entries: { action: string; actorType: string; actorId: string; result: string }[] }).entries;
    const staffReads = entries.filter((e) => e.action === 'staff.request' && e.result === 'success');
    expect(staffReads.length).toBe(2);
    expect(staffReads.every((e) => e.actorType === 'staff' && e.actorId === staff.id)).toBe(true);
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['staff.access.requested', 'staff.access.approved']));
    await app.services.security.settled();
    const events = (await org.admin.browser.request('GET', `/api/orgs/${org.id}/security-events?rule=staff.access`)).json() as { events: { rule: string }[] };
    expect(events.events.map((e) => e.rule)).toEqual(['staff.access']);

    // Access ends by itself at expiry.
    app.clock.advance(2 * HOUR + 1000);
    await staffLogin(app, staff);
    const expired = await staff.browser.request('GET', `/api/orgs/${org.id}`);
    expect([expired.statusCode, (expired.json() as { code?: string }).code]).toEqual([403, 'staff_consent_required']);
  });

  it('ends access at once when an Admin revokes it, and a refused request grants nothing', async () => {
    const filed = await staff.browser.post('/api/staff/access-requests', { orgId: org.id, reason: 'Follow-up on ticket 4711', hours: 4 });
    const grantId = (filed.json() as { request: { id: string } }).request.id;
    await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/approve`, { hours: 4 });
    expect((await staff.browser.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(200);
    const revoked = await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/revoke`, {});
    expect(revoked.json()).toMatchObject({ request: { state: 'revoked' } });
    expect(shapeReport(GrantDecidedSchema, revoked.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await staff.browser.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(403);

    const again = await staff.browser.post('/api/staff/access-requests', { orgId: org.id, reason: 'Another look, please', hours: 1 });
    const refusedId = (again.json() as { request: { id: string } }).request.id;
    const refused = await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${refusedId}/refuse`, {});
    expect(refused.json()).toMatchObject({ request: { state: 'refused' } });
    expect(shapeReport(GrantDecidedSchema, refused.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${refusedId}/approve`, { hours: 1 })).statusCode).toBe(409);
    expect((await staff.browser.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(403);
  });

  it('offboarding ends sessions, grants and the setup link at once', async () => {
    const leaver = await newStaff(app);
    const second = new TestBrowser(app.server, '198.51.100.9');
    app.clock.advance(30_000);
    expect((await second.post('/api/staff/login', { email: leaver.email, password: STAFF_PASSWORD, code: totpCodeAt(leaver.secret, app.clock()) })).statusCode).toBe(200);
    const filed = await leaver.browser.post('/api/staff/access-requests', { orgId: org.id, reason: 'Investigating an import problem', hours: 24 });
    const grantId = (filed.json() as { request: { id: string } }).request.id;
    await org.admin.browser.post(`/api/orgs/${org.id}/staff-access/${grantId}/approve`, { hours: 24 });
    const pending = await leaver.browser.post('/api/staff/access-requests', { orgId: other.id, reason: 'Investigating another import', hours: 24 });
    expect(pending.statusCode).toBe(201);
    expect((await leaver.browser.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(200);

    const lines: string[] = [];
    const ctx = { db: app.db, crypto: app.services.crypto, clock: app.clock, baseUrl: () => 'https://mowt.test', out: (l: string) => lines.push(l) };
    expect(await runStaffDisable(ctx, leaver.email)).toBe(0);
    expect(lines.join('\n')).toMatch(/ended 2 session\(s\); revoked 2 access grant\(s\)/);

    for (const b of [leaver.browser, second]) {
      expect((await b.request('GET', '/api/staff/me')).statusCode).toBe(401);
      expect((await b.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(401);
    }
    const list = (await org.admin.browser.request('GET', `/api/orgs/${org.id}/staff-access`)).json() as { requests: { id: string; state: string; endReason: string | null }[] };
    expect(list.requests.find((r) => r.id === grantId)).toMatchObject({ state: 'revoked', endReason: 'staff account disabled' });
    app.clock.advance(30_000);
    const relogin = await new TestBrowser(app.server).post('/api/staff/login', { email: leaver.email, password: STAFF_PASSWORD, code: totpCodeAt(leaver.secret, app.clock()) });
    expect(relogin.statusCode).toBe(401);
    expect(await runStaffDisable(ctx, 'nobody@mowt.test')).toBe(1);
    // Creating the account again starts over with a new setup link (the old password and authenticator are gone).
    expect(await runStaffCreate(ctx, { email: leaver.email, name: 'Back Again' })).toBe(0);
    expect(await runStaffCreate(ctx, { email: staff.email, name: 'Duplicate' })).toBe(1);
  });

  it('prints the monthly access review of all staff access', async () => {
    const lines: string[] = [];
    const ctx = { db: app.db, crypto: app.services.crypto, clock: app.clock, baseUrl: () => 'https://mowt.test', out: (l: string) => lines.push(l) };
    // The tests above move the clock hours on: near a month's end their access falls in two months.
    const months = [...new Set([startedMonth, app.clock().toISOString().slice(0, 7)])];
    for (const month of months) expect(await runAccessReview(ctx, month)).toBe(0);
    const report = lines.join('\n');
    for (const month of months) expect(report).toContain(`Staff access review ${month}`);
    expect(report).toContain(staff.email);
    expect(report).toContain('Consent Ltd');
    expect(report).toContain('Ticket 4711: MRR chart shows a gap in March');
    expect(report).toMatch(/refused without consent/);
    expect(report).toMatch(/status (expired|revoked|refused)/);
    expect(await runAccessReview(ctx, '2026-13')).toBe(1);
    // Another month has nothing.
    lines.length = 0;
    expect(await runAccessReview(ctx, '2019-01')).toBe(0);
    expect(lines.join('\n')).toContain('0 access request(s)');
  });

  it('uses the real password policy and answers bad input with 4xx problems', async () => {
    const { token } = await createStaff({ db: app.db, crypto: app.services.crypto, clock: app.clock }, { email: 'weak@mowt.test', name: 'Weak Password' });
    const browser = new TestBrowser(app.server);
    const weak = await browser.post('/api/staff/setup', { token, password: 'password123' });
    expect(weak.statusCode).toBe(422);
    expect((await browser.post('/api/staff/setup', { token })).statusCode).toBe(400);
    expect((await staff.browser.post('/api/staff/access-requests', { orgId: org.id, reason: 'short', hours: 4 })).statusCode).toBe(400);
    expect((await staff.browser.post('/api/staff/access-requests', { orgId: org.id, reason: 'A long enough reason', hours: 100 })).statusCode).toBe(400);
    expect((await staff.browser.post('/api/staff/access-requests', { orgId: crypto.randomUUID(), reason: 'A long enough reason', hours: 4 })).statusCode).toBe(404);
    expect(GOOD_PASSWORD).not.toBe(STAFF_PASSWORD);
  });
});
