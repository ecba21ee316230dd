import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { memoryAudit } from './auth-audit.js';
import { createAuthDeps } from './create-auth-deps.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { createUser } from './create-user.js';
import { createLoginThrottle, DEFAULT_THROTTLE_LIMITS, failureDelayMs } from './login-throttle.js';
import { GOOD_PASSWORD, memoryMailer, startAuthHarness, testFieldCrypto, TestBrowser, uniqueEmail, type AuthHarness } from './test-support.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('growing delays', () => {
  it('start after 3 failures and double up to 4 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(failureDelayMs)).toEqual([0, 0, 0, 250, 500, 1000, 2000, 4000, 4000, 4000]);
  });
});

describe.each(DB_KINDS)('login throttling on %s', (kind) => {
  let t: TestDatabase;
  let h: AuthHarness;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    h = await startAuthHarness(t.db);
  });
  afterAll(async () => {
    await h?.close();
    await t?.dispose();
  });

  it('after 10 wrong passwords, 429 for that account from that IP; the owner still signs in from another IP', async () => {
    const email = uniqueEmail('target');
    await createUser(h.deps, { email, name: 'Target', password: GOOD_PASSWORD });
    const attacker = new TestBrowser(h.server, '198.51.100.66');
    h.sleeps.length = 0;
    for (let i = 0; i < 10; i++) {
      expect((await attacker.post('/api/auth/login', { email, password: `wrong guess number ${i}` })).statusCode).toBe(401);
    }
    // Growing delays were applied before answering the later attempts.
    expect(h.sleeps).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);

    const compares = h.hasher.compares;
    const blocked = await attacker.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(h.hasher.compares).toBe(compares);
    expect(attacker.sessionToken).toBeUndefined();

    const owner = new TestBrowser(h.server, '192.0.2.10');
    const ok = await owner.post('/api/auth/login', { email, password: GOOD_PASSWORD });
    expect(ok.statusCode).toBe(200);

    const audited = h.audit.events.filter((e) => e.ip === '198.51.100.66');
    expect(audited.filter((e) => e.action === 'auth.login' && e.result === 'failure')).toHaveLength(10);
    expect(audited.filter((e) => e.action === 'auth.login.throttled' && e.result === 'denied')).toHaveLength(1);
  });

  it('counts every spelling of an address as the same account: NFD accents, case and spaces do not reset the count', async () => {
    const composed = `jos\u00e9.${crypto.randomBytes(3).toString('hex')}@example.com`;
    await createUser(h.deps, { email: composed, name: 'José', password: GOOD_PASSWORD });
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const attacker = new TestBrowser(h.server, '198.51.100.77');
    for (let i = 0; i < DEFAULT_THROTTLE_LIMITS.accountIpFailures; i++) {
      const email = i % 2 === 0 ? composed : `  ${composed.toUpperCase()} `;
      expect((await attacker.post('/api/auth/login', { email, password: `wrong guess number ${i}` })).statusCode).toBe(401);
    }
    // The decomposed spelling signs in to the same account, so it must meet the same block.
    const res = await attacker.post('/api/auth/login', { email: decomposed, password: GOOD_PASSWORD });
    expect(res.statusCode).toBe(429);
    expect(attacker.sessionToken).toBeUndefined();
  });

  it('stops one IP spraying many accounts', async () => {
    const sprayer = new TestBrowser(h.server, '198.51.100.200');
    const victims = Array.from({ length: DEFAULT_THROTTLE_LIMITS.ipFailures }, () => uniqueEmail('victim'));
    for (const email of victims) {
      expect((await sprayer.post('/api/auth/login', { email, password: 'Summer2026!Summer' })).statusCode).toBe(401);
    }
    const next = await sprayer.post('/api/auth/login', { email: uniqueEmail('victim'), password: 'Summer2026!Summer' });
    expect(next.statusCode).toBe(429);
    expect(h.audit.events.at(-1)).toMatchObject({ action: 'auth.login.throttled', details: { scope: 'ip' } });
  });
});

describe('throttle counters in Redis (REDIS_URL)', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
    await redis.ping();
  });
  afterAll(async () => {
    await redis?.quit();
  });

  it('are shared by every instance using the same Redis', async () => {
    const keyPrefix = `mowt_test_${crypto.randomBytes(4).toString('hex')}`;
    const a = createLoginThrottle({ redis, keyPrefix });
    const b = createLoginThrottle({ redis, keyPrefix });
    const email = 'shared@example.com';
    for (let i = 0; i < 5; i++) await a.recordFailure(email, '203.0.113.1');
    for (let i = 0; i < 5; i++) await b.recordFailure(email, '203.0.113.1');
    const verdict = await b.check(email, '203.0.113.1');
    expect(verdict).toMatchObject({ blocked: true, scope: 'account-ip' });
    expect(await a.check(email, '203.0.113.2')).toMatchObject({ blocked: false });
    const keys = await redis.keys(`${keyPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain('shared@example.com');
    await redis.del(...keys);
  });

  it('keep counting in memory while Redis is unreachable', async () => {
    const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
    down.on('error', () => undefined);
    const throttle = createLoginThrottle({ redis: down, limits: { accountIpFailures: 2 } });
    await throttle.recordFailure('down@example.com', '203.0.113.9');
    await throttle.recordFailure('down@example.com', '203.0.113.9');
    expect(await throttle.check('down@example.com', '203.0.113.9')).toMatchObject({ blocked: true });
    down.disconnect();
  });

  it('createAuthDeps uses Redis when REDIS_URL is set', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-redis-'));
    const config = loadConfig({ MOWT_DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL });
    const logger = pino({ level: 'silent' });
    const deps = createAuthDeps({ config, db: {} as Db, logger, clock: () => new Date() }, { crypto: testFieldCrypto(), mailer: memoryMailer(), audit: memoryAudit(), listOrgs: async () => [] });
    const ip = `203.0.113.${crypto.randomInt(1, 250)}`;
    const before = (await redis.keys(`mowt_login_ip:${ip}`)).length;
    if (deps.redis?.status !== 'ready') await new Promise((resolve) => deps.redis?.once('ready', resolve));
    await deps.throttle.recordFailure(`redis.${crypto.randomUUID()}@example.com`, ip);
    expect(before).toBe(0);
    expect(await redis.keys(`mowt_login_ip:${ip}`)).toHaveLength(1);
    await redis.del(`mowt_login_ip:${ip}`);
    await deps.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
