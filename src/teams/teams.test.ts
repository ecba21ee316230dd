// Teams end to end over the real HTTP stack, on both databases: first Admin, invites, acceptance, role
// changes and removals that act on the member's very next request, the last-Admin rule, settings, setup link.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import {
  GOOD_PASSWORD,
  newMember,
  newOrg,
  newSignedInUser,
  signIn,
  startTeamsApp,
  TestBrowser,
  uniqueEmail,
  type TeamsApp,
} from '../../test/security/support.js';
import { AuditPageSchema, PageViewRecordedSchema } from '../audit/audit-schemas.js';
import { queryAudit } from '../audit/index.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { withOrg, withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { createAdmin, issueSetupLink, listUserOrgs } from './index.js';
import {
  InviteAcceptedSchema,
  InviteListSchema,
  InviteSentSchema,
  MemberListSchema,
  OrgViewSchema,
  RoleChangeSchema,
  SetupDoneSchema,
} from './teams-schemas.js';

function tokenFromMail(text: string): string {
  const m = /#token=([^\s]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no token in mail: ${text}`);
  return decodeURIComponent(m[1]);
}

describe.each(DB_KINDS)('teams on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  const auditActions = (orgId: string) =>
    withOrg(app.db, orgId, (tx) => queryAudit(tx, orgId, {}, { limit: 200 })).then((es) =>
      // Key lifecycle entries (crypto.key.*) share the organisation's chain; these tests look at team actions.
      es.map((e) => e.action).filter((a) => !a.startsWith('crypto.')).reverse(),
    );

  it('create-admin makes the organisation, its keys, its Admin and the first audit entry', async () => {
    const email = uniqueEmail('founder');
    const { orgId, userId } = await createAdmin(app.teams, { email, orgName: 'Founders Ltd', password: GOOD_PASSWORD });
    expect(await listUserOrgs(app.db, userId)).toEqual([{ id: orgId, name: 'Founders Ltd', role: 'admin' }]);
    const keys = await sql<{ n: number }>`select count(*)::int as n from crypto_data_keys where org_id = ${orgId}::uuid`.execute(app.db.owner);
    expect(keys.rows[0]?.n).toBeGreaterThan(0);
    expect(await auditActions(orgId)).toEqual(['org.created']);
    await expect(createAdmin(app.teams, { email, orgName: 'Again', password: GOOD_PASSWORD })).rejects.toMatchObject({ status: 409 });
    await expect(createAdmin(app.teams, { email: uniqueEmail(), orgName: 'Weak', password: 'password1234' })).rejects.toBeInstanceOf(HttpProblem);
    // Nothing half-made: the failed attempts left no organisation behind.
    expect(await listUserOrgs(app.db, userId)).toHaveLength(1);
  });

  it('GET /api/me lists the user’s organisations and roles', async () => {
    const org = await newOrg(app, 'Me Ltd');
    const res = await org.admin.browser.request('GET', '/api/me');
    expect(res.statusCode).toBe(200);
    expect((res.json() as { orgs: unknown[] }).orgs).toEqual([{ id: org.id, name: 'Me Ltd', role: 'admin' }]);
  });

  it('invites by mailed single-use link; a new person creates an account, enrols 2FA and lands with the role', async () => {
    const org = await newOrg(app, 'Invite Co');
    const email = uniqueEmail('invitee');
    const sent = app.mail.sent.length;
    const res = await org.admin.browser.post(`/api/orgs/${org.id}/invites`, { email, role: 'viewer' });
    expect(res.statusCode).toBe(201);
    expect(shapeReport(InviteSentSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const body = res.json() as { invite: { id: string; expiresAt: string }; emailSent: boolean };
    expect(body.emailSent).toBe(true);
    expect(new Date(body.invite.expiresAt).getTime() - app.clock().getTime()).toBe(7 * 24 * 3600 * 1000);
    const mail = app.mail.sent[sent];
    expect(mail?.to).toBe(email);
    expect(mail?.text).toContain('https://mowt.test/invite#token=');
    const token = tokenFromMail(mail?.text ?? '');

    const list = await org.admin.browser.request('GET', `/api/orgs/${org.id}/invites`);
    expect((list.json() as { invites: { email: string; role: string }[] }).invites).toMatchObject([{ email, role: 'viewer' }]);
    expect(shapeReport(InviteListSchema, list.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // The address is stored encrypted, never in clear.
    const stored = await withOrg(app.db, org.id, (tx) => tx.selectFrom('invites').select(['email_encrypted', 'token_hash']).executeTakeFirstOrThrow());
    expect(stored.email_encrypted).not.toContain(email);
    expect(stored.token_hash).not.toBe(token);

    const stranger = new TestBrowser(app.server);
    const accepted = await stranger.post('/api/invites/accept', { token, name: 'Vera Viewer', password: GOOD_PASSWORD });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ orgId: org.id, role: 'viewer', accountCreated: true, next: 'login' });
    expect(shapeReport(InviteAcceptedSchema, accepted.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await stranger.post('/api/invites/accept', { token, name: 'Again', password: GOOD_PASSWORD })).statusCode).toBe(400);

    // The new account must enrol 2FA before anything else: login says so, and data routes refuse.
    const fresh = new TestBrowser(app.server);
    const login = await fresh.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.json()).toEqual({ next: 'enroll-totp' });
    expect((await fresh.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(403);

    const userId = (await listUserOrgsByEmail(email))!;
    const viewer = await signIn(app, { id: userId, email });
    const orgRes = await viewer.browser.request('GET', `/api/orgs/${org.id}`);
    expect(orgRes.statusCode).toBe(200);
    expect(orgRes.json()).toMatchObject({ id: org.id, name: 'Invite Co', role: 'viewer' });
    expect(shapeReport(OrgViewSchema, orgRes.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // A Viewer cannot reach member management.
    expect((await viewer.browser.request('GET', `/api/orgs/${org.id}/members`)).statusCode).toBe(403);
    expect(await auditActions(org.id)).toEqual(['org.created', 'invite.created', 'invite.accepted', 'access.denied']);
  });

  async function listUserOrgsByEmail(email: string): Promise<string | undefined> {
    const index = await app.teams.userEmailIndex(email);
    const row = await withoutOrg(app.db, (tx) => tx.selectFrom('users').select('id').where('email_index', '=', index).executeTakeFirst());
    return row?.id;
  }

  it('lets a signed-in user with the invited address join; refuses another address and expired or revoked links', async () => {
    const org = await newOrg(app, 'Join Co');
    const existing = await newSignedInUser(app, 'existing');
    const invited = await org.admin.browser.post(`/api/orgs/${org.id}/members`, { email: existing.email, role: 'member' });
    expect(invited.statusCode).toBe(201);
    expect(shapeReport(InviteSentSchema, invited.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const token = tokenFromMail(app.mail.sent.at(-1)?.text ?? '');

    const other = await newSignedInUser(app, 'other');
    expect((await other.browser.post('/api/invites/accept', { token })).statusCode).toBe(403);
    // Not signed in, and the address has an account: sign in first.
    expect((await new TestBrowser(app.server).post('/api/invites/accept', { token, name: 'X', password: GOOD_PASSWORD })).statusCode).toBe(409);
    const joined = await existing.browser.post('/api/invites/accept', { token });
    expect(joined.json()).toEqual({ orgId: org.id, role: 'member', accountCreated: false, next: 'org' });
    expect(await listUserOrgs(app.db, existing.id)).toEqual([{ id: org.id, name: 'Join Co', role: 'member' }]);
    // Already a member: inviting again is refused.
    expect((await org.admin.browser.post(`/api/orgs/${org.id}/invites`, { email: existing.email, role: 'viewer' })).statusCode).toBe(409);

    const late = uniqueEmail('late');
    await org.admin.browser.post(`/api/orgs/${org.id}/invites`, { email: late, role: 'viewer' });
    const lateToken = tokenFromMail(app.mail.sent.at(-1)?.text ?? '');
    app.clock.advance(7 * 24 * 3600 * 1000 + 1000);
    const expired = await new TestBrowser(app.server).post('/api/invites/accept', { token: lateToken, name: 'Late', password: GOOD_PASSWORD });
    expect(expired.statusCode).toBe(400);

    const admin = await signIn(app, org.admin);
    const revokedEmail = uniqueEmail('revoked');
    const created = await admin.browser.post(`/api/orgs/${org.id}/invites`, { email: revokedEmail, role: 'viewer' });
    const revokedToken = tokenFromMail(app.mail.sent.at(-1)?.text ?? '');
    const inviteId = (created.json() as { invite: { id: string } }).invite.id;
    expect((await admin.browser.request('DELETE', `/api/orgs/${org.id}/invites/${inviteId}`)).statusCode).toBe(204);
    expect((await admin.browser.request('DELETE', `/api/orgs/${org.id}/invites/${inviteId}`)).statusCode).toBe(404);
    expect((await new TestBrowser(app.server).post('/api/invites/accept', { token: revokedToken, name: 'R', password: GOOD_PASSWORD })).statusCode).toBe(400);
    // Inviting the same address again replaces the pending invite (re-send).
    await admin.browser.post(`/api/orgs/${org.id}/invites`, { email: late, role: 'member' });
    const resent = await admin.browser.post(`/api/orgs/${org.id}/invites`, { email: late, role: 'member' });
    expect((resent.json() as { replaced: boolean }).replaced).toBe(true);
    expect(((await admin.browser.request('GET', `/api/orgs/${org.id}/invites`)).json() as { invites: unknown[] }).invites).toHaveLength(1);
  });

  it('a role change takes effect on the member’s very next request (sessions ended)', async () => {
    const org = await newOrg(app, 'Roles Co');
    const member = await newMember(app, org.id, 'member');
    expect((await member.browser.request('GET', `/api/orgs/${org.id}`)).json()).toMatchObject({ role: 'member' });
    const res = await org.admin.browser.request('PATCH', `/api/orgs/${org.id}/members/${member.id}`, { body: { role: 'viewer' } });
    expect(res.json()).toEqual({ userId: member.id, role: 'viewer', changed: true });
    expect(shapeReport(RoleChangeSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await member.browser.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(401);
    const again = await signIn(app, member);
    expect((await again.browser.request('GET', `/api/orgs/${org.id}`)).json()).toMatchObject({ role: 'viewer' });
    const actions = await auditActions(org.id);
    expect(actions).toContain('member.role_changed');
  });

  it('a removed member is refused on their very next request and the organisation disappears for them', async () => {
    const org = await newOrg(app, 'Offboard Co');
    const member = await newMember(app, org.id, 'member');
    expect((await org.admin.browser.request('DELETE', `/api/orgs/${org.id}/members/${member.id}`)).statusCode).toBe(204);
    expect((await member.browser.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(401);
    const again = await signIn(app, member);
    expect((await again.browser.request('GET', `/api/orgs/${org.id}`)).statusCode).toBe(404);
    expect(await listUserOrgs(app.db, member.id)).toEqual([]);
    expect((await org.admin.browser.request('DELETE', `/api/orgs/${org.id}/members/${member.id}`)).statusCode).toBe(404);
  });

  it('the last Admin cannot demote or remove themself (409); with a second Admin they can', async () => {
    const org = await newOrg(app, 'Last Admin Co');
    const demote = await org.admin.browser.request('PATCH', `/api/orgs/${org.id}/members/${org.admin.id}`, { body: { role: 'member' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.headers['content-type']).toContain('application/problem+json');
    expect((await org.admin.browser.request('DELETE', `/api/orgs/${org.id}/members/${org.admin.id}`)).statusCode).toBe(409);
    const second = await newMember(app, org.id, 'admin');
    expect((await second.browser.request('DELETE', `/api/orgs/${org.id}/members/${org.admin.id}`)).statusCode).toBe(204);
    const members = await second.browser.request('GET', `/api/orgs/${org.id}/members`);
    expect(shapeReport(MemberListSchema, members.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((members.json() as { members: { userId: string; role: string; email: string }[] }).members).toEqual([
      expect.objectContaining({ userId: second.id, role: 'admin', email: second.email }),
    ]);
    expect((await second.browser.request('PATCH', `/api/orgs/${org.id}/members/${second.id}`, { body: { role: 'viewer' } })).statusCode).toBe(409);
  });

  it('Admins change settings; bad values are refused; the change is audited', async () => {
    const org = await newOrg(app, 'Settings Co');
    const res = await org.admin.browser.request('PATCH', `/api/orgs/${org.id}`, { body: { reportingCurrency: 'EUR', timezone: 'Europe/Paris', name: 'Settings SAS' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Settings SAS', reportingCurrency: 'EUR', timezone: 'Europe/Paris' });
    expect(shapeReport(OrgViewSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await org.admin.browser.request('PATCH', `/api/orgs/${org.id}`, { body: { reportingCurrency: 'XYZ' } })).statusCode).toBe(422);
    expect((await org.admin.browser.request('PATCH', `/api/orgs/${org.id}`, { body: { timezone: 'Mars/Olympus' } })).statusCode).toBe(422);
    expect((await org.admin.browser.request('PATCH', `/api/orgs/${org.id}`, { body: {} })).statusCode).toBe(400);
    const member = await newMember(app, org.id, 'member');
    expect((await member.browser.request('PATCH', `/api/orgs/${org.id}`, { body: { name: 'Mine now' } })).statusCode).toBe(403);
    const entries = await withOrg(app.db, org.id, (tx) => queryAudit(tx, org.id, { action: 'org.settings_changed' }, { limit: 5 }));
    expect(entries[0]?.metadata).toEqual({ fields: ['reportingCurrency', 'timezone', 'name'], changes: { reportingCurrency: { from: 'GBP', to: 'EUR' }, timezone: { from: 'Europe/London', to: 'Europe/Paris' } } });
  });

  it('Admins browse, filter and export the audit log; the export is itself audited; page views de-duplicate', async () => {
    const org = await newOrg(app, 'Audit Co');
    const viewer = await newMember(app, org.id, 'viewer');
    const viewed = await viewer.browser.post(`/api/orgs/${org.id}/audit/page-view`, { page: '/dashboard' });
    expect(viewed.json()).toEqual({ recorded: true });
    expect(shapeReport(PageViewRecordedSchema, viewed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((await viewer.browser.post(`/api/orgs/${org.id}/audit/page-view`, { page: '/dashboard' })).json()).toEqual({ recorded: false });
    expect((await viewer.browser.request('GET', `/api/orgs/${org.id}/audit`)).statusCode).toBe(403);

    const page = await org.admin.browser.request('GET', `/api/orgs/${org.id}/audit?limit=2`);
    const body = page.json() as { entries: { seq: number; action: string }[]; nextBefore: number | null };
    expect(body.entries.map((e) => e.action)).toEqual(['access.denied', 'page.viewed']);
    expect(body.nextBefore).toBe(body.entries[1]?.seq);
    expect(shapeReport(AuditPageSchema, page.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const older = await org.admin.browser.request('GET', `/api/orgs/${org.id}/audit?limit=200&before=${body.nextBefore}`);
    const olderActions = (older.json() as { entries: { action: string }[] }).entries.map((e) => e.action);
    expect(olderActions).toContain('org.created');
    expect(olderActions).not.toContain('page.viewed');
    // The last page: nextBefore is null.
    expect((older.json() as { nextBefore: number | null }).nextBefore).toBeNull();
    expect(shapeReport(AuditPageSchema, older.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const filtered = await org.admin.browser.request('GET', `/api/orgs/${org.id}/audit?result=denied&actor=${viewer.id}`);
    expect((filtered.json() as { entries: unknown[] }).entries).toHaveLength(1);

    const csv = await org.admin.browser.request('GET', `/api/orgs/${org.id}/audit?format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="mowt-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(csv.body.split('\r\n')[0]).toBe('seq,occurredAt,actorType,actorId,action,targetType,targetId,result,ip,userAgent,metadata,hash');
    const json = await org.admin.browser.request('GET', `/api/orgs/${org.id}/audit?format=json&action=page.viewed`);
    expect((json.json() as { entries: { action: string }[] }).entries.map((e) => e.action)).toEqual(['page.viewed']);
    const exports = await withOrg(app.db, org.id, (tx) => queryAudit(tx, org.id, { action: 'audit.exported' }, { limit: 5 }));
    expect(exports.map((e) => [e.actorId, (e.metadata as { format: string }).format])).toEqual([
      [org.admin.id, 'json'],
      [org.admin.id, 'csv'],
    ]);
  });
});

describe.each(DB_KINDS)('first-run setup link on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  it('is printed only while no user exists, works once, and creates the first organisation and Admin', async () => {
    const deps = { db: app.db, clock: app.clock, baseUrl: 'https://mowt.test' };
    const first = await issueSetupLink(deps);
    const link = await issueSetupLink(deps);
    expect(link).toMatch(/^https:\/\/mowt\.test\/setup#token=[A-Za-z0-9_-]{43}$/);
    const token = link!.split('#token=')[1]!;
    const browser = new TestBrowser(app.server);
    const email = uniqueEmail('setup');
    // The earlier link was superseded by the later one.
    const stale = await browser.post('/api/setup', { token: first!.split('#token=')[1], email, password: GOOD_PASSWORD, orgName: 'First Org' });
    expect(stale.statusCode).toBe(400);
    const weak = await browser.post('/api/setup', { token, email, password: 'short', orgName: 'First Org' });
    expect(weak.statusCode).toBe(422);
    const ok = await browser.post('/api/setup', { token, email, password: GOOD_PASSWORD, orgName: 'First Org' });
    expect(ok.statusCode).toBe(201);
    expect(shapeReport(SetupDoneSchema, ok.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const { orgId } = ok.json() as { orgId: string };
    expect((await browser.post('/api/setup', { token, email: uniqueEmail(), password: GOOD_PASSWORD, orgName: 'Second' })).statusCode).toBe(400);
    expect(await issueSetupLink(deps)).toBeNull();
    const admin = await signIn(app, { id: (await listUserOrgsOf(app, orgId))!, email });
    expect((await admin.browser.request('GET', `/api/orgs/${orgId}`)).json()).toMatchObject({ name: 'First Org', role: 'admin' });
    const stored = await withoutOrg(app.db, (tx) => tx.selectFrom('setup_tokens').select('token_hash').execute());
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
  });
});

async function listUserOrgsOf(app: TeamsApp, orgId: string): Promise<string | undefined> {
  const row = await withOrg(app.db, orgId, (tx) => tx.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).executeTakeFirst());
  return row?.user_id;
}
