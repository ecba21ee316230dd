// Rate limits through the real application (createApp: every hook), in memory and on the real Redis.
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { newSignedInUser, startTeamsApp, TestBrowser, type TeamsApp } from '../../test/security/support.js';
import { RATE_LIMITED } from './index.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = () => `mowt_rl_test_${crypto.randomBytes(6).toString('hex')}`;
const get = (app: { server: TestApp['server'] }, url: string, ip = '198.51.100.7', headers: Record<string, string> = {}) =>
  app.server.inject({ method: 'GET', url, remoteAddress: ip, headers });

describe('rate limits in one instance (memory)', () => {
  let t: TestDatabase;
  let app: TeamsApp;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    app = await startTeamsApp(t.db, {
      rateLimit: {
        keyPrefix: prefix(),
        policy: { health: { ip: { points: 3, windowS: 60 }, local: true }, read: { ip: { points: 50, windowS: 60 }, subject: { points: 4, windowS: 60 } } },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  it('answers 429 problem+json with Retry-After and RateLimit headers once an IP spends its budget', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get(app, '/healthz', '198.51.100.20'));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    expect(answers.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    expect(answers[0]?.headers['ratelimit-limit']).toBe('3');
    expect(answers[0]?.headers['ratelimit-policy']).toBe('3;w=60');
    const refused = answers[3]!;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.json()).toMatchObject({ status: 429, title: 'Too Many Requests', code: RATE_LIMITED });
    // Another address is not affected.
    expect((await get(app, '/healthz', '198.51.100.21')).statusCode).toBe(200);
  });

  it('limits each signed-in user on their own, whatever address they come from', async () => {
    const ada = await newSignedInUser(app, 'ada');
    const bob = await newSignedInUser(app, 'bob');
    const cookie = (b: TestBrowser) => [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const statuses: number[] = [];
    // Ada from four different addresses: the per-user bucket (4) still runs out.
    for (let i = 0; i < 5; i++) statuses.push((await get(app, '/api/me', `192.0.2.${i + 1}`, { cookie: cookie(ada.browser) })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const refused = await get(app, '/api/me', '192.0.2.9', { cookie: cookie(ada.browser) });
    expect(refused.json()).toMatchObject({ status: 429, detail: expect.stringContaining('for your account') });
    // Bob shares none of it.
    expect((await get(app, '/api/me', '192.0.2.1', { cookie: cookie(bob.browser) })).statusCode).toBe(200);
  });

  it('counts unmatched paths too (scanners) and limits every registered route', async () => {
    // GET falls to the web app's catch-all (class 'static'); other methods reach the not-found handler.
    const res = await app.server.inject({ method: 'DELETE', url: '/api/does-not-exist', remoteAddress: '198.51.100.99' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['ratelimit-limit']).toBe('50');
    expect((await get(app, '/api/does-not-exist', '198.51.100.99')).headers['ratelimit-limit']).toBe('1200');
    const unlimited = app.routes.filter((r) => r.method !== 'HEAD' && r.rateLimit === undefined);
    expect(unlimited).toEqual([]);
  });
});

describe('rate limits shared by two instances through Redis', () => {
  let t: TestDatabase;
  let one: TestApp;
  let two: TestApp;
  let redis: Redis;
  const keyPrefix = prefix();

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect().catch((err: Error) => {
      throw new Error(`Redis is required for this test but is not reachable at ${REDIS_URL} (${err.message})`);
    });
    t = await createTestDatabase('postgres');
    const overrides = { db: t.db, rateLimit: { keyPrefix, policy: { read: { ip: { points: 5, windowS: 60 }, subject: { points: 4, windowS: 60 } } } } };
    one = await startTestApp({ REDIS_URL }, overrides);
    two = await startTestApp({ REDIS_URL }, overrides);
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await t?.dispose();
  });

  it('counts an address across both instances', async () => {
    const ip = '203.0.113.77';
    const statuses = [];
    for (const app of [one, two, one, two, one, two]) statuses.push((await get(app, '/api/auth/csrf', ip)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // The counters are in Redis under this test's prefix, not in either process.
    expect((await redis.keys(`${keyPrefix}*`)).length).toBeGreaterThan(0);
    expect((await get(one, '/api/auth/csrf', ip)).statusCode).toBe(429);
  });
});
