// Organisation API tokens through the real application (createApp: every hook), on PGlite and PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../auth/totp.js';
import { withOrg } from '../db/tenant.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { newMember, newOrg, signIn, startTeamsApp, type SignedIn, type TeamsApp, type TestOrg } from '../../test/security/support.js';
import { GOOD_PASSWORD } from '../auth/test-support.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { hashApiToken } from './token-format.js';
import { ApiTokenCreatedSchema, ApiTokenListSchema } from './tokens-schemas.js';

const DAY = 24 * 60 * 60 * 1000;

async function sudo(app: TeamsApp, user: SignedIn): Promise<void> {
  app.clock.advance(30_000);
  const res = await user.browser.post('/api/auth/reauth', { password: GOOD_PASSWORD, code: totpCodeAt(user.secret, app.clock()) });
  if (res.statusCode !== 200) throw new Error(`reauth failed: ${res.body}`);
}

async function makeToken(app: TeamsApp, org: TestOrg, body: Record<string, unknown> = {}) {
  await sudo(app, org.admin);
  const res = await org.admin.browser.post(`/api/orgs/${org.id}/api-tokens`, { name: 'Grafana', scopes: ['metrics:read', 'org:read'], expiresInDays: 30, ...body });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  // Exactly the declared answer: the token's view and its secret, never its hash.
  expect(shapeReport(ApiTokenCreatedSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
  return res.json() as { secret: string; token: { id: string; prefix: string; display: string } };
}

const bearer = (app: TeamsApp, method: 'GET' | 'POST' | 'DELETE', url: string, token: string, extra: Record<string, string> = {}) =>
  app.server.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...extra }, remoteAddress: '198.51.100.44', ...(method === 'POST' ? { payload: {} } : {}) });

describe.each(DB_KINDS)('API tokens on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let a: TestOrg;
  let b: TestOrg;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    a = await newOrg(app, 'Alpha Analytics');
    b = await newOrg(app, 'Bravo Secret Holdings');
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  it('needs a fresh re-authentication to create, shows the secret once and stores only its SHA-256', async () => {
    // Signing in counts as a re-authentication for 10 minutes; after that, creating asks again.
    app.clock.advance(11 * 60 * 1000);
    const early = await a.admin.browser.post(`/api/orgs/${a.id}/api-tokens`, { name: 'x', scopes: ['metrics:read'], expiresInDays: 30 });
    expect(early.statusCode).toBe(403);
    expect(early.json()).toMatchObject({ code: 'sudo_required' });

    const { secret, token } = await makeToken(app, a);
    expect(secret).toMatch(/^mowt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`mowt_${token.prefix}_`)).toBe(true);

    const rows = await withOrg(app.db, a.id, (tx) => tx.selectFrom('api_tokens').selectAll().where('id', '=', token.id).execute());
    expect(rows).toHaveLength(1);
    expect(rows[0]?.secret_hash).toBe(hashApiToken(secret));
    expect(rows[0]?.name_encrypted).not.toContain('Grafana');
    // The secret appears nowhere in the database (any table, any column).
    const dump = await sql<{ j: string }>`select json_agg(t)::text as j from api_tokens t`.execute(app.db.owner);
    expect(dump.rows[0]?.j).not.toContain(secret.slice(18));

    const list = await a.admin.browser.request('GET', `/api/orgs/${a.id}/api-tokens`);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret.slice(18));
    expect(shapeReport(ApiTokenListSchema, list.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const listed = (list.json() as { tokens: { id: string; name: string; display: string; scopes: string[]; status: string; lastUsedAt: string | null }[] }).tokens.find((x) => x.id === token.id);
    expect(listed).toMatchObject({ name: 'Grafana', display: `mowt_${token.prefix}_…`, scopes: ['metrics:read', 'org:read'], status: 'active', lastUsedAt: null });

    const audit = await withOrg(app.db, a.id, (tx) => tx.selectFrom('audit_log').select(['action', 'metadata']).where('target_id', '=', token.id).execute());
    expect(audit.map((e) => e.action)).toContain('api_token.created');
    expect(JSON.stringify(audit)).not.toContain(secret.slice(18));
  });

  it('reads its own organisation with a bearer token and records when and from where it was last used', async () => {
    const { secret, token } = await makeToken(app, a);
    const res = await bearer(app, 'GET', '/api/v1/org', secret);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: a.id, name: 'Alpha Analytics' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['ratelimit-limit']).toBeDefined();
    const list = await a.admin.browser.request('GET', `/api/orgs/${a.id}/api-tokens`);
    // A used token: its lastUsedAt and lastUsedIp are set, and still exactly the schema.
    expect(shapeReport(ApiTokenListSchema, list.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const listed = (list.json() as { tokens: { id: string; lastUsedAt: string | null; lastUsedIp: string | null }[] }).tokens.find((x) => x.id === token.id);
    expect(listed?.lastUsedAt).toBe(app.clock().toISOString());
    expect(listed?.lastUsedIp).toBe('198.51.100.44');
  });

  it('never lets a token of A read B: the organisation comes from the token, B’s own token reads only B', async () => {
    const tokA = await makeToken(app, a);
    const tokB = await makeToken(app, b);
    const asA = await bearer(app, 'GET', '/api/v1/org', tokA.secret);
    const asB = await bearer(app, 'GET', '/api/v1/org', tokB.secret);
    expect(asA.json()).toMatchObject({ id: a.id });
    expect(asA.body).not.toContain('Bravo');
    expect(asB.json()).toMatchObject({ id: b.id });
    // A's token with B's prefix but A's secret (or any tampering) is refused.
    const forged = `mowt_${tokB.token.prefix}_${tokA.secret.slice(18)}`;
    expect((await bearer(app, 'GET', '/api/v1/org', forged)).statusCode).toBe(401);
    // A's Admin cannot list or revoke B's tokens through the session API either.
    expect((await a.admin.browser.request('DELETE', `/api/orgs/${a.id}/api-tokens/${tokB.token.id}`)).statusCode).toBe(404);
    expect((await bearer(app, 'GET', '/api/v1/org', tokB.secret)).statusCode).toBe(200);
  });

  it('refuses revoked and expired tokens at once', async () => {
    const live = await makeToken(app, a);
    expect((await bearer(app, 'GET', '/api/v1/org', live.secret)).statusCode).toBe(200);
    expect((await a.admin.browser.request('DELETE', `/api/orgs/${a.id}/api-tokens/${live.token.id}`)).statusCode).toBe(204);
    const revoked = await bearer(app, 'GET', '/api/v1/org', live.secret);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json()).toMatchObject({ code: 'invalid_token', detail: expect.stringContaining('revoked') });
    expect(revoked.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await a.admin.browser.request('DELETE', `/api/orgs/${a.id}/api-tokens/${live.token.id}`)).statusCode).toBe(404);

    const short = await makeToken(app, a, { expiresInDays: 7 });
    expect((await bearer(app, 'GET', '/api/v1/org', short.secret)).statusCode).toBe(200);
    app.clock.advance(7 * DAY + 1000);
    const expired = await bearer(app, 'GET', '/api/v1/org', short.secret);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ detail: expect.stringContaining('expired') });
    // A week idle ended the Admins' sessions too: sign in again for the next tests.
    a.admin = await signIn(app, a.admin);
    b.admin = await signIn(app, b.admin);

    const audit = await withOrg(app.db, a.id, (tx) =>
      tx.selectFrom('audit_log').select(['action', 'result', 'metadata', 'actor_type']).where('action', 'in', ['api_token.revoked', 'api_token.refused']).execute(),
    );
    expect(audit.filter((e) => e.action === 'api_token.revoked')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'api_token.refused').map((e) => (e.metadata as { reason: string }).reason).sort()).toEqual(['expired', 'revoked']);
  });

  it('works only on GET /api/v1: never on session routes or state-changing requests, and sessions do not work on /api/v1', async () => {
    const { secret } = await makeToken(app, a);
    for (const [method, url] of [
      ['GET', '/api/me'],
      ['GET', `/api/orgs/${a.id}`],
      ['GET', `/api/orgs/${a.id}/api-tokens`],
      ['POST', `/api/orgs/${a.id}/invites`],
      ['DELETE', `/api/orgs/${a.id}/api-tokens/00000000-0000-4000-8000-000000000000`],
      ['POST', '/api/v1/org'],
    ] as const) {
      const res = await bearer(app, method, url, secret);
      expect([url, res.statusCode]).toEqual([url, 401]);
      expect(res.json()).toMatchObject({ code: 'token_not_accepted' });
    }
    // A fully signed-in Admin's session cookie does not open /api/v1.
    const viaSession = await a.admin.browser.request('GET', '/api/v1/org');
    expect(viaSession.statusCode).toBe(401);
    expect(viaSession.json()).toMatchObject({ code: 'token_required' });
    expect(viaSession.headers['www-authenticate']).toBe('Bearer realm="mowt-api"');
    expect((await bearer(app, 'GET', '/api/v1/org', 'mowt_nope')).statusCode).toBe(401);
  });

  it('enforces scopes, Admin-only management, and ends a token when its creator stops being an Admin', async () => {
    const orgOnly = await makeToken(app, a, { scopes: ['metrics:read'] });
    const denied = await bearer(app, 'GET', '/api/v1/org', orgOnly.secret);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'insufficient_scope' });

    const member = await newMember(app, a.id, 'member');
    expect((await member.browser.request('GET', `/api/orgs/${a.id}/api-tokens`)).statusCode).toBe(403);
    expect((await member.browser.post(`/api/orgs/${a.id}/api-tokens`, { name: 'x', scopes: ['org:read'], expiresInDays: 30 })).statusCode).toBe(403);

    const second = await newMember(app, a.id, 'admin');
    await sudo(app, second);
    const made = await second.browser.post(`/api/orgs/${a.id}/api-tokens`, { name: 'Second admin', scopes: ['org:read'], expiresInDays: 30 });
    expect(made.statusCode).toBe(201);
    const secret = (made.json() as { secret: string }).secret;
    expect((await bearer(app, 'GET', '/api/v1/org', secret)).statusCode).toBe(200);
    await withOrg(app.db, a.id, (tx) => tx.updateTable('memberships').set({ role: 'viewer' }).where('org_id', '=', a.id).where('user_id', '=', second.id).execute());
    const suspended = await bearer(app, 'GET', '/api/v1/org', secret);
    expect(suspended.statusCode).toBe(401);
    const list = await a.admin.browser.request('GET', `/api/orgs/${a.id}/api-tokens`);
    expect((list.json() as { tokens: { name: string; status: string }[] }).tokens.find((x) => x.name === 'Second admin')?.status).toBe('suspended');
  });

  it('rejects bad input with problem+json', async () => {
    await sudo(app, a.admin);
    for (const body of [{ name: '', scopes: ['org:read'], expiresInDays: 30 }, { name: 'x', scopes: ['customers:write'], expiresInDays: 30 }, { name: 'x', scopes: ['org:read'], expiresInDays: 9999 }, { name: 'x', scopes: [], expiresInDays: 30 }]) {
      const res = await a.admin.browser.post(`/api/orgs/${a.id}/api-tokens`, body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });
});
