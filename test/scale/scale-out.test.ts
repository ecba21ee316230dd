// Scale-out on this machine: two web processes (MOWT_ROLE=web) and two workers (`mowt worker`), real child
// processes on one fresh PostgreSQL database and the shared Redis, as behind the load balancer in production.
// Sessions, revocation and rate limits must hold across instances; each Stripe sync job runs on exactly one
// worker; a worker killed mid-job leaves its connection to be finished by the other, without duplicates.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createApp, type App } from '../../src/app.js';
import { totpCodeAt } from '../../src/auth/totp.js';
import { loadConfig } from '../../src/config.js';
import { createQueue, type Queue } from '../../src/jobs/queue.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { connectRestrictedKey } from '../../src/stripe/connect-restricted-key.js';
import { SYNC_QUEUE } from '../../src/stripe/sync-scheduler.js';
import { createAdmin } from '../../src/teams/index.js';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORIGIN = 'https://mowt.scale.test';
const PASSWORD = 'violet harbour lantern 9137';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

interface Proc { name: string; child: ChildProcess; out: () => string; port?: number }
const procs: Proc[] = [];

function spawnMowt(name: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const proc: Proc = { name, child, out: () => out };
  procs.push(proc);
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = ready.exec(out);
      if (m) {
        if (m[1]) proc.port = Number(m[1]);
        resolve(proc);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${out}`)));
  });
}

/** A browser: cookie jar, CSRF token and Origin like the SPA, speaking to whichever instance it is told. */
class Browser {
  cookies = new Map<string, string>();
  csrfToken?: string;
  constructor(readonly ip: string) {}

  request(port: number, method: string, url: string, body?: unknown): Promise<{ status: number; json: () => unknown; headers: Record<string, unknown> }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { origin: ORIGIN, 'x-forwarded-for': this.ip, 'user-agent': 'scale-test' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.csrfToken && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, method, path: url, headers, rejectUnauthorized: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          for (const c of [res.headers['set-cookie'] ?? []].flat()) {
            const [pair, ...attrs] = c.split(';');
            const [k, v] = pair!.split('=') as [string, string];
            if (attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim())) || v === '') this.cookies.delete(k.trim());
            else this.cookies.set(k.trim(), v);
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async csrf(port: number) {
    this.csrfToken = ((await this.request(port, 'GET', '/api/auth/csrf')).json() as { token: string }).token;
  }
}

const randomIp = () => `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(1, 255)}`;

describe('scale-out: two web processes and two workers on one PostgreSQL and Redis', () => {
  const dbName = `mowt_scale_${crypto.randomBytes(5).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-scale-'));
  let env: Record<string, string>;
  let emulator: RunningEmulator;
  let operator: App;
  let queue: Queue;
  let web1: Proc;
  let web2: Proc;
  const orgs: { orgId: string; userId: string; email: string }[] = [];

  beforeAll(async () => {
    await admin(`create database ${dbName}`);
    emulator = await startEmulator({ business: 'small', seed: 11, rateLimitPerSecond: null });
    env = {
      MOWT_ENV: 'development',
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      MOWT_DATA_DIR: dataDir,
      MOWT_BASE_URL: ORIGIN,
      MOWT_TRUST_PROXY: '127.0.0.1',
      MOWT_DEMO_EMULATOR: 'false',
      MOWT_STRIPE_API_BASE: emulator.url,
      MOWT_ROLE: 'web',
      PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    // The operator's view (what `mowt create-admin` does): migrates, creates the keyring, three organisations.
    operator = await createApp(loadConfig(env));
    for (let i = 0; i < 3; i++) {
      const email = `admin${i}.${crypto.randomBytes(3).toString('hex')}@scale.test`;
      orgs.push({ ...(await createAdmin(operator.services.teams, { email, orgName: `Scale ${i}`, password: PASSWORD })), email });
    }
    // It only sends jobs, like a web process.
    queue = createQueue(operator.db, { connectionString: env.DATABASE_URL, supervise: false });
    queue.on('error', () => undefined);
    await queue.start();
    await operator.services.stripe.useQueue(queue, { work: false });

    const listening = /Mowt is listening on https:\/\/localhost:(\d+)\n/;
    [web1, web2] = await Promise.all([
      spawnMowt('web1', ['--import', 'tsx', 'src/main.ts'], env, listening),
      spawnMowt('web2', ['--import', 'tsx', 'src/main.ts'], env, listening),
      spawnMowt('worker1', ['bin/mowt.js', 'worker'], env, /Mowt worker is running jobs/),
      spawnMowt('worker2', ['bin/mowt.js', 'worker'], env, /Mowt worker is running jobs/),
    ]);
    // Five TypeScript processes compiling at once on two shared cores take a while.
  }, 420_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await queue?.stop({ graceful: false, wait: true }).catch(() => undefined);
    await operator?.close().catch(() => undefined);
    await emulator?.close();
    await admin(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('web processes serve HTTP but run no jobs; the workers do not listen', () => {
    expect(web1.port).toBeGreaterThan(0);
    expect(web2.port).not.toBe(web1.port);
    for (const p of procs.filter((x) => x.name.startsWith('worker'))) expect(p.out()).not.toContain('Mowt is listening');
  });

  const browser = new Browser(randomIp());
  let secret = '';

  it('a session made on one instance works on the other, 2FA enrolment included', async () => {
    const a = web1.port!;
    const b = web2.port!;
    await browser.csrf(a);
    expect((await browser.request(a, 'POST', '/api/auth/login', { email: orgs[0]!.email, password: PASSWORD })).status).toBe(200);
    await browser.csrf(b);
    const enrol = await browser.request(b, 'POST', '/api/auth/totp/enroll', {});
    expect(enrol.status).toBe(200);
    secret = (enrol.json() as { secret: string }).secret;
    expect((await browser.request(a, 'POST', '/api/auth/totp/confirm', { code: totpCodeAt(secret, new Date()) })).status).toBe(200);
    for (const port of [a, b]) {
      const org = await browser.request(port, 'GET', `/api/orgs/${orgs[0]!.orgId}`);
      expect(org.status).toBe(200);
      expect(org.json()).toMatchObject({ role: 'admin' });
    }
  });

  it('rate limits are shared: the per-IP budget spent on one instance is gone on the other', async () => {
    const caller = new Browser(randomIp());
    // The auth class allows 60 requests per minute per address (src/ratelimit/policy.ts).
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await caller.request(i % 2 ? web2.port! : web1.port!, 'POST', '/api/auth/logout', {})).status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    const over1 = await caller.request(web1.port!, 'POST', '/api/auth/logout', {});
    const over2 = await caller.request(web2.port!, 'POST', '/api/auth/logout', {});
    expect([over1.status, over2.status]).toEqual([429, 429]);
    expect(Number(over2.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is unaffected.
    expect((await new Browser(randomIp()).request(web2.port!, 'POST', '/api/auth/logout', {})).status).not.toBe(429);
  });

  it('each sync job runs on exactly one worker: one backfill per connection, no retries', async () => {
    const log = emulator.store.log;
    log.reset();
    const connections: string[] = [];
    for (const [i, o] of orgs.entries()) {
      const { connectionId } = await connectRestrictedKey(operator.services.stripe.deps, { orgId: o.orgId, userId: o.userId, restrictedKey: `rk_test_scaleOut${i}xyz${1000 + i}` });
      connections.push(connectionId);
    }
    let rows: { singleton_key: string; state: string; retry_count: number }[] = [];
    for (let i = 0; i < 600; i++) {
      rows = (await sql<{ singleton_key: string; state: string; retry_count: number }>`select singleton_key, state, retry_count from pgboss.job where name = ${SYNC_QUEUE} order by created_on`.execute(operator.db.owner)).rows;
      if (connections.every((c) => rows.some((r) => r.singleton_key === c && r.state === 'completed'))) break;
      await sleep(250);
    }
    for (const c of connections) expect(rows.filter((r) => r.singleton_key === c && r.state === 'completed').length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((r) => r.retry_count > 0 || r.state === 'failed')).toEqual([]);
    // The backfill's first customers page was fetched exactly once per connection (keys end 1000, 1001, 1002).
    // (Connecting lists one customer with limit=1 to check the key; that is not the backfill.)
    const firstPages = log.all().filter((r) => {
      const q = new URLSearchParams(String(r.query ?? ''));
      return r.path === '/v1/customers' && !q.has('starting_after') && q.get('limit') !== '1';
    });
    for (let i = 0; i < 3; i++) expect(firstPages.filter((r) => String(r.key).endsWith(String(1000 + i))).length, `connection ${i}`).toBe(1);
  }, 180_000);

  it('signing out on one instance ends the session on the other at its next request', async () => {
    // The same cookies, kept as an attacker who copied them would keep them.
    const copy = new Browser(browser.ip);
    copy.cookies = new Map(browser.cookies);
    expect((await copy.request(web1.port!, 'GET', `/api/orgs/${orgs[0]!.orgId}`)).status).toBe(200);
    expect((await browser.request(web2.port!, 'POST', '/api/auth/logout', {})).status).toBe(200);
    expect((await copy.request(web1.port!, 'GET', `/api/orgs/${orgs[0]!.orgId}`)).status).toBe(401);
    expect((await copy.request(web2.port!, 'GET', `/api/orgs/${orgs[0]!.orgId}`)).status).toBe(401);
  });
});
