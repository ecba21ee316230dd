import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { completeOAuth } from './complete-oauth.js';
import { connectRestrictedKey, SECRET_KEY_REFUSED } from './connect-restricted-key.js';
import { directoryByAccount } from './connections.js';
import { disconnect } from './disconnect.js';
import { listConnectionViews } from './list-connections.js';
import { openReader } from './open-reader.js';
import { startOAuth } from './start-oauth.js';
import { stripeTestEnv, type StripeTestEnv } from './test-support.js';
import { backfill } from './backfill.js';
import { signPayload } from '../../emulator/index.js';
import { handleWebhook } from './handle-webhook.js';
import { replaceRestrictedKey } from './replace-restricted-key.js';
import { requestSyncNow } from './request-sync.js';
import { syncConnection } from './sync-connection.js';

describe.each(DB_KINDS)('Stripe connections on %s', (kind) => {
  let env: StripeTestEnv;
  const session = 'session-1';

  beforeAll(async () => {
    env = await stripeTestEnv(kind, { oauth: { accessTokenTtlSeconds: 120 } });
  }, 180_000);
  afterAll(async () => env?.dispose());

  const problem = async (p: Promise<unknown>): Promise<{ status: number; message: string }> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof HttpProblem) return { status: e.status, message: e.message };
      throw e;
    }
    throw new Error('expected an HttpProblem');
  };
  const approve = async (url: string): Promise<{ code: string; state: string }> => {
    const u = new URL(url);
    const res = await fetch(`${env.emulator.url}/oauth/authorize/approve`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: u.searchParams.get('client_id') ?? '', redirect_uri: u.searchParams.get('redirect_uri') ?? '', state: u.searchParams.get('state') ?? '', decision: 'approve' }),
    });
    const location = new URL(res.headers.get('location') ?? '');
    return { code: location.searchParams.get('code') ?? '', state: location.searchParams.get('state') ?? '' };
  };

  it('refuses secret keys with the reason, and malformed or rejected keys', async () => {
    const sk = await problem(connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'sk_test_abcdefghijkl' }));
    expect(sk).toEqual({ status: 400, message: SECRET_KEY_REFUSED });
    expect(sk.message).toMatch(/create charges/);
    expect((await problem(connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'hello' }))).status).toBe(400);
    expect((await problem(connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_x' }))).status).toBe(400);
    expect(env.emulator.store.log.all()).toEqual([]);
  });

  it('connects a restricted key after a read check, stores it encrypted and masked, audits, and refuses a duplicate', async () => {
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_connectionsKey99' });
    const row = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow());
    expect(row.token_masked).toBe('rk_test_…ey99');
    expect(row.token_encrypted).toMatch(/^mw1:s:/);
    expect(row.token_encrypted).not.toContain('connectionsKey99');
    expect(env.syncRequests).toContain(connectionId);
    const audit = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('audit_log').select(['action', 'metadata']).where('target_id', '=', connectionId).execute());
    expect(audit.map((a) => a.action)).toEqual(['stripe.connected']);
    expect(JSON.stringify(audit)).not.toContain('connectionsKey99');
    expect((await problem(connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_anotherKey1234' }))).status).toBe(409);

    await backfill(env.deps, env.orgId, connectionId, { types: ['products', 'prices'] });
    const [view] = await listConnectionViews(env.deps, env.orgId);
    expect(view?.tokenMasked).toBe('rk_test_…ey99');
    expect(JSON.stringify(view)).not.toContain('mw1:');
    expect(view?.sync.objects.find((o) => o.type === 'products')).toMatchObject({ count: 4, done: true, progress: 1 });
    expect(view?.sync.progress).toBeGreaterThan(0);
    expect(view?.sync.progress).toBeLessThan(1);
    expect(view?.sync.lastSuccessAt).not.toBeNull();
    await disconnect(env.deps, { orgId: env.orgId, connectionId, userId: env.userId });
    expect(await listConnectionViews(env.deps, env.orgId)).toEqual([]);
    // The synced rows go with the connection (the deletion trigger of migration 0016).
    for (const table of ['stripe_products', 'stripe_prices'] as const) {
      expect(await env.t.db.owner.selectFrom(table).select('id').where('connection_id', '=', connectionId).execute(), table).toEqual([]);
    }
  });

  it('OAuth: state bound to the session, single use; tokens encrypted, refreshed before expiry, revoked on disconnect', async () => {
    const { url } = await startOAuth(env.deps, { orgId: env.orgId, userId: env.userId, sessionId: session });
    expect(url).toContain('/oauth/v2/authorize?client_id=');
    const { code, state } = await approve(url);
    // Another session (a forged callback link) cannot complete it.
    expect((await problem(completeOAuth(env.deps, { code, state, userId: env.userId, sessionId: 'someone-else' }))).status).toBe(400);
    const { connectionId, orgId } = await completeOAuth(env.deps, { code, state, userId: env.userId, sessionId: session });
    expect(orgId).toBe(env.orgId);
    // Single use: the same state cannot be replayed.
    expect((await problem(completeOAuth(env.deps, { code, state, userId: env.userId, sessionId: session }))).status).toBe(400);

    const row = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow());
    expect(row.kind).toBe('oauth');
    expect(row.refresh_token_encrypted).toMatch(/^mw1:s:/);
    // The 120 s token is inside the refresh margin, so opening a reader refreshes it first.
    const reader = await openReader(env.deps, env.orgId, connectionId);
    expect((await reader.list('products', { limit: 1 })).data).toHaveLength(1);
    const after = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow());
    expect(after.token_encrypted).not.toBe(row.token_encrypted);
    const oauthCalls = env.emulator.store.log.all().filter((r) => r.method !== 'GET');
    expect(oauthCalls.map((r) => r.path)).toEqual(['/oauth/authorize/approve', '/v1/oauth/token', '/v1/oauth/token']);

    expect(await disconnect(env.deps, { orgId: env.orgId, connectionId, userId: env.userId })).toEqual({ revokedAtStripe: true });
    await expect(reader.list('products', { limit: 1 })).rejects.toThrow();
    const actions = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('audit_log').select('action').orderBy('seq').execute());
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['stripe.oauth_started', 'stripe.oauth_rejected', 'stripe.connected', 'stripe.disconnected']));
  });

  it('a revoked restricted key turns the connection to error with what to do; replacing the key (same account only) restores it', async () => {
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_rolledLater0001' });
    await backfill(env.deps, env.orgId, connectionId, { types: ['products'] });
    const connection = () => withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow());
    const view = async () => (await listConnectionViews(env.deps, env.orgId)).find((c) => c.id === connectionId);
    await fetch(`${env.emulator.url}/_emulator/keys/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'rk_test_rolledLater0001' }) });
    await expect(syncConnection(env.deps, env.orgId, connectionId)).rejects.toMatchObject({ statusCode: 401 });
    expect(await connection()).toMatchObject({ status: 'error' });
    expect(await view()).toMatchObject({ status: 'error', sync: { phase: 'error', lastError: { message: expect.stringMatching(/Replace key/) } } });

    const replace = (restrictedKey: string, deps = env.deps, id = connectionId) => replaceRestrictedKey(deps, { orgId: env.orgId, userId: env.userId, connectionId: id, restrictedKey });
    expect((await problem(replace('sk_test_fullSecretKey0001'))).status).toBe(400);
    expect((await problem(replace('rk_test_rolledLater0001'))).message).toMatch(/did not accept this key/);
    expect((await problem(replace('rk_test_newKey00000001', env.deps, crypto.randomUUID()))).status).toBe(404);
    const otherAccount = {
      ...env.deps,
      readerFor: (token: string, id: string) => ({ ...env.deps.readerFor(token, id), account: async () => ({ id: 'acct_someoneElse', name: null, livemode: false, created: null }) }),
    };
    expect((await problem(replace('rk_test_otherAccount0001', otherAccount))).message).toMatch(/another Stripe account \(acct_someoneElse/);
    expect((await connection()).token_masked).toBe('rk_test_…0001');

    expect(await replace('rk_test_freshKey000002')).toEqual({ connectionId, tokenMasked: 'rk_test_…0002' });
    expect(await connection()).toMatchObject({ status: 'active', last_error: null, token_masked: 'rk_test_…0002' });
    expect((await connection()).token_encrypted).not.toContain('freshKey');
    // The history stayed, and syncing works again.
    expect((await view())?.sync.objects.find((o) => o.type === 'products')).toMatchObject({ count: 4, done: true });
    expect((await (await openReader(env.deps, env.orgId, connectionId)).list('products', { limit: 1 })).data).toHaveLength(1);
    const audit = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('audit_log').select(['action', 'metadata']).where('target_id', '=', connectionId).where('action', '=', 'stripe.key_replaced').execute());
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('freshKey');
    await disconnect(env.deps, { orgId: env.orgId, connectionId, userId: env.userId });
  });

  it('the Stripe App taking over a restricted-key connection keeps it, and the App\'s events are routed to it', async () => {
    const { connectionId } = await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_takenOver0001' });
    const { code, state } = await approve((await startOAuth(env.deps, { orgId: env.orgId, userId: env.userId, sessionId: session })).url);
    expect((await completeOAuth(env.deps, { code, state, userId: env.userId, sessionId: session })).connectionId).toBe(connectionId);
    const row = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow());
    expect(row).toMatchObject({ kind: 'oauth', webhook_secret_encrypted: null });
    const routed = async (k: 'oauth' | 'restricted_key', livemode = false) => (await directoryByAccount(env.t.db, env.emulator.accountId, k, livemode)).map((e) => e.connectionId);
    expect(await routed('oauth')).toContain(connectionId);
    expect(await routed('restricted_key')).not.toContain(connectionId);
    // It reads test mode, so live-mode events of the same account do not reach it.
    expect(await routed('oauth', true)).not.toContain(connectionId);
    await disconnect(env.deps, { orgId: env.orgId, connectionId, userId: env.userId });
  });

  it('an uninstall in Stripe (signed account.application.deauthorized) retires the connection; installing again reactivates it', async () => {
    const install = async () => {
      const { code, state } = await approve((await startOAuth(env.deps, { orgId: env.orgId, userId: env.userId, sessionId: session })).url);
      return (await completeOAuth(env.deps, { code, state, userId: env.userId, sessionId: session })).connectionId;
    };
    const connection = (id: string) => withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    const connectionId = await install();
    const uninstalled = await fetch(`${env.emulator.url}/_emulator/oauth/uninstall`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const event = (await uninstalled.json()) as { type: string; account: string };
    expect(event).toMatchObject({ type: 'account.application.deauthorized', account: env.emulator.accountId });
    const payload = JSON.stringify(event);
    const deliver = (secret = env.deps.appWebhookSecret ?? '', body = payload) =>
      handleWebhook(env.deps, { rawBody: Buffer.from(body), signature: signPayload(body, secret, Math.floor(Date.now() / 1000)) });
    // The same account's live-mode uninstall does not touch this test-mode connection.
    expect(await deliver(undefined, JSON.stringify({ ...event, id: 'evt_liveModeUninstall1', livemode: true }))).toEqual({ received: true, outcomes: [] });
    expect((await connection(connectionId)).status).toBe('active');

    // Before the event arrives, a pass finds the grant gone (the refresh is refused): an error with what to do.
    await expect(syncConnection(env.deps, env.orgId, connectionId)).rejects.toThrow();
    expect(await connection(connectionId)).toMatchObject({ status: 'error', last_error: expect.stringMatching(/install the Mowt app again/) });
    // Forged (not signed with the App's secret): refused, nothing changes.
    expect((await problem(deliver('whsec_someoneElse000000'))).status).toBe(400);
    expect((await connection(connectionId)).status).toBe('error');

    expect(await deliver()).toEqual({ received: true, outcomes: ['applied'] });
    expect(await connection(connectionId)).toMatchObject({ status: 'revoked', token_encrypted: null, refresh_token_encrypted: null, token_expires_at: null });
    expect(await deliver()).toEqual({ received: true, outcomes: ['duplicate'] });
    const [view] = (await listConnectionViews(env.deps, env.orgId)).filter((c) => c.id === connectionId);
    expect(view?.sync.phase).toBe('revoked');
    expect(view?.sync.lastError?.message).toMatch(/uninstalled/);
    expect((await problem(requestSyncNow(env.deps, env.orgId, connectionId))).status).toBe(409);
    // No sync runs on it: not one request reaches Stripe.
    const requestsBefore = env.emulator.store.log.all().length;
    await syncConnection(env.deps, env.orgId, connectionId);
    expect(env.emulator.store.log.all().length).toBe(requestsBefore);
    const actions = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('audit_log').select(['action', 'actor_type']).where('action', '=', 'stripe.uninstalled').execute());
    expect(actions).toEqual([{ action: 'stripe.uninstalled', actor_type: 'system' }]);

    // Installed again: the same connection, active, with new tokens.
    expect(await install()).toBe(connectionId);
    expect(await connection(connectionId)).toMatchObject({ status: 'active', last_error: null });
    expect((await (await openReader(env.deps, env.orgId, connectionId)).list('products', { limit: 1 })).data).toHaveLength(1);
    await disconnect(env.deps, { orgId: env.orgId, connectionId, userId: env.userId });
  });
});
