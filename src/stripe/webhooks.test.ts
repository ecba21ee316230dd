import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { signPayload } from '../../emulator/index.js';
import { withOrg } from '../db/tenant.js';
import { enforceRouteDeclarations } from '../http/route-config.js';
import { backfill } from './backfill.js';
import type { StripeObject } from './client.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import { openReader } from './open-reader.js';
import { pollEvents } from './poll-events.js';
import { setWebhookSecret } from './set-webhook-secret.js';
import { canonicalDump, checksum, stripeTestEnv, type StripeTestEnv } from './test-support.js';
import { stripeWebhookRoutes } from './webhook-routes.js';

const SECRET = 'whsec_connectionSecret123456';

describe.each(DB_KINDS)('Stripe webhooks and event polling on %s', (kind) => {
  let env: StripeTestEnv;
  let app: FastifyInstance;
  let connectionId: string;

  const admin = async (path: string, body: Record<string, unknown> = {}): Promise<StripeObject> => {
    const res = await fetch(`${env.emulator.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as StripeObject;
  };
  const send = (event: unknown, opts: { secret?: string; timestamp?: number; path?: string } = {}) => {
    const payload = JSON.stringify(event);
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    return app.inject({
      method: 'POST', url: opts.path ?? `/webhooks/stripe/${connectionId}`, payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(payload, opts.secret ?? SECRET, timestamp) },
    });
  };
  const subscription = (id: string) => withOrg(env.t.db, env.orgId, (tx) =>
    tx.selectFrom('stripe_subscriptions').select(['status', 'event_created']).where('id', '=', id).executeTakeFirstOrThrow());
  const quantity = async (subId: string) => (await withOrg(env.t.db, env.orgId, (tx) =>
    tx.selectFrom('stripe_subscription_items').select('quantity').where('subscription_id', '=', subId).executeTakeFirstOrThrow())).quantity;
  const activeSubscriptions = async (n: number): Promise<string[]> => {
    const { rows } = await withOrg(env.t.db, env.orgId, (tx) =>
      sql<{ id: string }>`select id from stripe_subscriptions where status = 'active' order by id limit ${n}`.execute(tx));
    return rows.map((r) => r.id);
  };

  beforeAll(async () => {
    env = await stripeTestEnv(kind);
    connectionId = (await connectRestrictedKey(env.deps, { orgId: env.orgId, userId: env.userId, restrictedKey: 'rk_test_webhooksKey123' })).connectionId;
    await backfill(env.deps, env.orgId, connectionId);
    await setWebhookSecret(env.deps, { orgId: env.orgId, userId: env.userId, connectionId, secret: SECRET });
    app = Fastify();
    enforceRouteDeclarations(app);
    await app.register(stripeWebhookRoutes(env.deps));
    await app.ready();
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await env?.dispose();
  });

  it('a signed webhook brings a change into the database', async () => {
    const [subId = ''] = await activeSubscriptions(1);
    const event = await admin(`/subscriptions/${subId}/cancel`);
    const res = await send(event);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, outcomes: ['refetched'] });
    expect((await subscription(subId)).status).toBe('canceled');
  });

  it('rejects bad signatures, stale timestamps, other secrets and replays, changing nothing', async () => {
    const [subId = ''] = (await activeSubscriptions(2)).slice(1);
    const event = await admin(`/subscriptions/${subId}/cancel`);
    const before = checksum(await canonicalDump(env, env.orgId));
    expect((await send(event, { secret: 'whsec_someoneElsesSecret99' })).statusCode).toBe(400);
    expect((await send(event, { timestamp: Math.floor(Date.now() / 1000) - 301 })).statusCode).toBe(400);
    const tampered = await app.inject({
      method: 'POST', url: `/webhooks/stripe/${connectionId}`, payload: JSON.stringify({ ...event, type: 'customer.deleted' }),
      headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(JSON.stringify(event), SECRET, Math.floor(Date.now() / 1000)) },
    });
    expect(tampered.statusCode).toBe(400);
    const unsigned = await app.inject({ method: 'POST', url: `/webhooks/stripe/${connectionId}`, payload: JSON.stringify(event), headers: { 'content-type': 'application/json' } });
    expect(unsigned.statusCode).toBe(400);
    expect((await send(event, { path: '/webhooks/stripe/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(400);
    // A live-mode event never enters this test-mode connection.
    const live = await send({ ...event, id: 'evt_liveModeTwin0001', livemode: true });
    expect(live.statusCode).toBe(400);
    expect(live.body).toContain('event is for live mode; this connection reads test mode');
    expect(checksum(await canonicalDump(env, env.orgId))).toBe(before);
    expect((await subscription(subId)).status).toBe('active');

    expect((await send(event)).json()).toEqual({ received: true, outcomes: ['refetched'] });
    const afterFirst = checksum(await canonicalDump(env, env.orgId));
    const replay = await send(event);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ received: true, outcomes: ['duplicate'] });
    expect(checksum(await canonicalDump(env, env.orgId))).toBe(afterFirst);
  });

  it('does not assume order: an older event arriving after a newer one is not applied', async () => {
    const [, , subId = ''] = await activeSubscriptions(3);
    const older = await admin(`/subscriptions/${subId}/update`, { quantity: 2 });
    await admin('/time/advance', { seconds: 10 });
    const newer = await admin(`/subscriptions/${subId}/update`, { quantity: 3 });
    expect((await send(newer)).json().outcomes).toEqual(['refetched']);
    expect(await quantity(subId)).toBe(3);
    expect((await send(older)).json().outcomes).toEqual(['stale']);
    expect(await quantity(subId)).toBe(3);
    expect(Number((await subscription(subId)).event_created)).toBe(newer['created']);
  });

  it('prices and coupons are stored with tiers and currency_options, which Stripe sends only when expanded; a price event does not wipe them', async () => {
    const payloads = async (table: 'stripe_prices' | 'stripe_coupons') =>
      new Map(((await canonicalDump(env, env.orgId))[table] as Array<{ id: string; payload_encrypted: string }>).map((r) => [r.id, JSON.parse(r.payload_encrypted) as Record<string, unknown>]));
    // The emulator leaves them out unless asked, so these came from the sync's expand[] parameters.
    const listed = await (await fetch(`${env.emulator.url}/v1/prices?limit=100`, { headers: { authorization: 'Bearer rk_test_webhooksKey123' } })).json() as { data: Array<Record<string, unknown>> };
    expect(listed.data.some((p) => 'tiers' in p || 'currency_options' in p)).toBe(false);
    const prices = await payloads('stripe_prices');
    const tiered = [...prices.values()].find((p) => p['billing_scheme'] === 'tiered' && p['currency'] === 'gbp');
    expect((tiered?.['tiers'] as unknown[] | undefined)?.length).toBe(3);
    expect((tiered?.['currency_options'] as Record<string, { tiers?: unknown[] }> | undefined)?.['eur']?.tiers?.length).toBe(3);
    const coupon = (await payloads('stripe_coupons')).get('5-off-forever');
    expect(coupon?.['currency_options']).toEqual({ gbp: { amount_off: 500 }, usd: { amount_off: 600 }, eur: { amount_off: 600 } });

    // price.updated carries the price without tiers/currency_options: applying it as is would wipe them.
    const event = await admin('/events', { type: 'price.updated', object: String(tiered?.['id']) });
    expect((event['data'] as { object: Record<string, unknown> }).object['tiers']).toBeUndefined();
    expect((await send(event)).json()).toEqual({ received: true, outcomes: ['refetched'] });
    const after = (await payloads('stripe_prices')).get(String(tiered?.['id']));
    expect(after?.['tiers']).toEqual(tiered?.['tiers']);
    expect(after?.['currency_options']).toEqual(tiered?.['currency_options']);
    // A later event about a row an event already set (not re-fetched on doubt any more) must not wipe them either.
    await admin('/time/advance', { seconds: 10 });
    expect((await send(await admin('/events', { type: 'price.updated', object: String(tiered?.['id']) }))).json()).toEqual({ received: true, outcomes: ['refetched'] });
    expect((await payloads('stripe_prices')).get(String(tiered?.['id']))?.['tiers']).toEqual(tiered?.['tiers']);
    const couponEvent = await admin('/events', { type: 'coupon.updated', object: '5-off-forever' });
    expect((await send(couponEvent)).json()).toEqual({ received: true, outcomes: ['refetched'] });
    expect((await payloads('stripe_coupons')).get('5-off-forever')?.['currency_options']).toEqual(coupon?.['currency_options']);
  });

  it('polling the Events API catches changes no webhook delivered, and skips those already seen', async () => {
    const [, , , subId = ''] = await activeSubscriptions(4);
    await admin('/time/advance', { seconds: 5 });
    await admin(`/subscriptions/${subId}/pause`);
    const counts = await pollEvents(env.deps, env.orgId, connectionId);
    expect(counts.refetched + counts.applied).toBeGreaterThanOrEqual(1);
    const { pause_behavior } = await withOrg(env.t.db, env.orgId, (tx) =>
      tx.selectFrom('stripe_subscriptions').select('pause_behavior').where('id', '=', subId).executeTakeFirstOrThrow());
    expect(pause_behavior).toBe('void');
    const again = await pollEvents(env.deps, env.orgId, connectionId);
    expect(again.applied + again.refetched).toBe(0);
    expect(env.emulator.store.log.all().filter((r) => r.method !== 'GET' && r.path.startsWith('/v1/') && !r.path.startsWith('/v1/oauth'))).toEqual([]);
  });

  it('walks a backlog of days in bounded windows, oldest first, and resumes at the last committed window', async () => {
    const [, , , , subId = ''] = await activeSubscriptions(5);
    const pollCursor = async () => Number((await withOrg(env.t.db, env.orgId, (tx) =>
      tx.selectFrom('stripe_sync_state').select('cursor').where('connection_id', '=', connectionId).where('object_type', '=', 'event_poll').executeTakeFirstOrThrow())).cursor);
    const start = await pollCursor();
    // A day and a half of changes no webhook delivered: the last one must win.
    const changes: StripeObject[] = [];
    for (let q = 2; q <= 7; q++) {
      await admin('/time/advance', { seconds: 6 * 3600 });
      changes.push(await admin(`/subscriptions/${subId}/update`, { quantity: q }));
    }
    // The job's budget runs out after the third listing: the poll stops at a window boundary.
    const budget = new AbortController();
    let listings = 0;
    const reader = await openReader(env.deps, env.orgId, connectionId);
    const counting = { ...reader, list: (...args: Parameters<typeof reader.list>) => {
      if (args[0] === 'events' && ++listings === 3) budget.abort(new Error('budget spent'));
      return reader.list(...args);
    } };
    await expect(pollEvents(env.deps, env.orgId, connectionId, { reader: counting, signal: budget.signal, maxWindowEvents: 1 })).rejects.toThrow('budget spent');
    const stoppedAt = await pollCursor();
    expect(stoppedAt).toBeGreaterThan(start);
    expect(stoppedAt).toBeLessThan(Number(changes.at(-1)!['created']));
    const rest = await pollEvents(env.deps, env.orgId, connectionId, { reader, maxWindowEvents: 1 });
    // One change per window at most (six changes six hours apart, windows split down to hold one event).
    expect(rest.windows).toBeGreaterThan(2);
    expect(rest.applied + rest.refetched).toBeGreaterThanOrEqual(1);
    expect(await quantity(subId)).toBe(7);
    expect(Number((await subscription(subId)).event_created)).toBe(changes.at(-1)!['created']);
    expect(await pollCursor()).toBeGreaterThanOrEqual(Number(changes.at(-1)!['created']));
  });
});
