// Scale-out on this machine: two web processes (MOWT_ROLE=web) and two workers (MOWT_ROLE=worker, what
// `mowt worker` runs), real child processes of the compiled app (dist/, built by `npm test`'s pretest) on one
// fresh PostgreSQL database and the shared Redis, as behind the load balancer in production. Sessions,
// revocations, role changes and rate limits must hold across instances; each Stripe sync job runs on exactly
// one worker; a worker SIGKILLed mid-job has its job finished by the other, every object stored once.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type FaultConfig, type RunningEmulator } from '../../emulator/index.js';
import { createApp, type App } from '../../src/app.js';
import { createUser } from '../../src/auth/index.js';
import { totpCodeAt } from '../../src/auth/totp.js';
import { loadConfig } from '../../src/config.js';
import { withOrg } from '../../src/db/tenant.js';
import { createQueue, type Queue } from '../../src/jobs/queue.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { connectRestrictedKey } from '../../src/stripe/connect-restricted-key.js';
import { SYNC_QUEUE } from '../../src/stripe/sync-scheduler.js';
import { createAdmin } from '../../src/teams/index.js';
import { emulatorIds, storedIds, syncedCounts } from './stored-objects.js';

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

interface Proc { name: string; child: ChildProcess; out: () => string; port?: number; startMs?: number }
const procs: Proc[] = [];
/** Longest wait for one process's ready line; a process that says nothing by then fails with its output. */
const READY_MS = 90_000;

function spawnMowt(name: string, env: Record<string, string>, ready: RegExp): Promise<Proc> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/src/main.js'], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const proc: Proc = { name, child, out: () => out };
  procs.push(proc);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no ready line within ${READY_MS / 1000} s:\n${out}`)), READY_MS);
    const check = () => {
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      if (m[1]) proc.port = Number(m[1]);
      proc.startMs = Date.now() - started;
      resolve(proc);
    };
    child.stdout!.on('data', check);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code ?? signal}:\n${out}`));
    });
  });
}

/** Newest modification time of the files under `dir` that `keep` selects (0 when there are none). */
function newestMtime(dir: string, keep: (file: string) => boolean): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && keep(file)) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** The processes run the compiled app: refuse a dist/ that is missing or older than the code it is built from. */
function assertFreshBuild(): void {
  const compiled = (f: string) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f) && !f.endsWith('test-support.ts');
  const source = Math.max(newestMtime(path.join(PROJECT_ROOT, 'src'), compiled), newestMtime(path.join(PROJECT_ROOT, 'emulator'), compiled));
  const built = newestMtime(path.join(PROJECT_ROOT, 'dist', 'src'), (f) => f.endsWith('.js'));
  if (!fs.existsSync(path.join(PROJECT_ROOT, 'dist', 'src', 'main.js')) || built < source) {
    throw new Error('dist/ is missing or older than src/: run `npm run build:server` first');
  }
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
  // The emulator reads this object on every request: the kill test slows it down while it runs.
  const faults: FaultConfig = {};
  let env: Record<string, string>;
  let emulator: RunningEmulator;
  let operator: App;
  let queue: Queue;
  let web1: Proc;
  let web2: Proc;
  let workers: Proc[] = [];
  const orgs: { orgId: string; userId: string; email: string }[] = [];

  beforeAll(async () => {
    assertFreshBuild();
    await admin(`create database ${dbName}`);
    emulator = await startEmulator({ business: 'small', seed: 11, rateLimitPerSecond: null, faults });
    env = {
      MOWT_ENV: 'development',
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      MOWT_DATA_DIR: dataDir,
      MOWT_BASE_URL: ORIGIN,
      MOWT_TRUST_PROXY: '127.0.0.1',
      MOWT_DEMO_EMULATOR: 'false',
      MOWT_STRIPE_API_BASE: emulator.url,
      PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      // Production runs 10-minute sync jobs that expire after 21 minutes, with maintenance every 2 minutes;
      // here a job stops after 3 s and a dead worker's job is handed over seconds later.
      MOWT_SYNC_JOB_BUDGET_SECONDS: '3',
      MOWT_SYNC_JOB_EXPIRE_SECONDS: '8',
      MOWT_QUEUE_MAINTENANCE_SECONDS: '1',
    };
    // The operator's view (what `mowt create-admin` does): migrates, creates the keyring and the TLS
    // certificate, four organisations — before any instance starts, so none of them races another to it.
    operator = await createApp(loadConfig(env));
    for (let i = 0; i < 4; i++) {
      const email = `admin${i}.${crypto.randomBytes(3).toString('hex')}@scale.test`;
      orgs.push({ ...(await createAdmin(operator.services.teams, { email, orgName: `Scale ${i}`, password: PASSWORD })), email });
    }
    // It only sends jobs, like a web process.
    queue = createQueue(operator.db, { connectionString: env.DATABASE_URL, supervise: false });
    queue.on('error', () => undefined);
    await queue.start();
    await operator.services.stripe.useQueue(queue, { work: false });

    // All four start at once, as tasks do on a deploy: the two workers create the remaining queues and
    // schedules concurrently (src/jobs/queue.ts retries pg-boss's deadlocking queue creation).
    // Workers log at info: each sync job's start names the job and the worker's pid.
    const worker = { ...env, MOWT_ROLE: 'worker', LOG_LEVEL: 'info' };
    const listening = /Mowt is listening on https:\/\/localhost:(\d+)\n/;
    const running = /Mowt worker is running jobs/;
    const started = await Promise.all([
      spawnMowt('web1', { ...env, MOWT_ROLE: 'web' }, listening),
      spawnMowt('web2', { ...env, MOWT_ROLE: 'web' }, listening),
      spawnMowt('worker1', worker, running),
      spawnMowt('worker2', worker, running),
    ]);
    [web1, web2] = started;
    workers = started.slice(2);
    console.log(`scale-out start-up (ms): ${procs.map((p) => `${p.name} ${p.startMs}`).join(', ')}`);
  }, 240_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await queue?.stop({ graceful: false, wait: true }).catch(() => undefined);
    await operator?.close().catch(() => undefined);
    await emulator?.close();
    await admin(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('web processes serve HTTP but run no jobs; the workers do not listen', () => {
    expect(web1.port).toBeGreaterThan(0);
    expect(web2.port).not.toBe(web1.port);
    for (const p of workers) expect(p.out()).not.toContain('Mowt is listening');
  });

  const browser = new Browser(randomIp());

  it('a session made on one instance works on the other, 2FA enrolment included', async () => {
    const a = web1.port!;
    const b = web2.port!;
    await browser.csrf(a);
    expect((await browser.request(a, 'POST', '/api/auth/login', { email: orgs[0]!.email, password: PASSWORD })).status).toBe(200);
    await browser.csrf(b);
    const enrol = await browser.request(b, 'POST', '/api/auth/totp/enroll', {});
    expect(enrol.status).toBe(200);
    const secret = (enrol.json() as { secret: string }).secret;
    expect((await browser.request(a, 'POST', '/api/auth/totp/confirm', { code: totpCodeAt(secret, new Date()) })).status).toBe(200);
    for (const port of [a, b]) {
      const org = await browser.request(port, 'GET', `/api/orgs/${orgs[0]!.orgId}`);
      expect(org.status).toBe(200);
      expect(org.json()).toMatchObject({ role: 'admin' });
    }
  });

  /** A new user of the first organisation with `role`, signed in (2FA enrolled) through web2. */
  async function member(role: 'member' | 'viewer'): Promise<{ id: string; email: string; secret: string; browser: Browser }> {
    const email = `${role}.${crypto.randomBytes(4).toString('hex')}@scale.test`;
    const { id } = await createUser(operator.services.auth, { email, name: `Scale ${role}`, password: PASSWORD });
    const orgId = orgs[0]!.orgId;
    await withOrg(operator.db, orgId, (tx) => tx.insertInto('memberships').values({ org_id: orgId, user_id: id, role }).execute());
    const b = new Browser(randomIp());
    await b.csrf(web2.port!);
    expect((await b.request(web2.port!, 'POST', '/api/auth/login', { email, password: PASSWORD })).status).toBe(200);
    const secret = ((await b.request(web2.port!, 'POST', '/api/auth/totp/enroll', {})).json() as { secret: string }).secret;
    expect((await b.request(web2.port!, 'POST', '/api/auth/totp/confirm', { code: totpCodeAt(secret, new Date()) })).status).toBe(200);
    return { id, email, secret, browser: b };
  }

  it('a role change made on one instance applies on the other at its next request', async () => {
    const orgId = orgs[0]!.orgId;
    const m = await member('member');
    // Saving a view needs views.manage: Members have it, Viewers do not (src/teams/permissions.ts).
    const view = (who: Browser, port: number, name: string) => who.request(port, 'POST', `/api/orgs/${orgId}/views`, { name, filters: {} });
    expect((await view(m.browser, web2.port!, 'Before')).status).toBe(201);
    const demoted = await browser.request(web1.port!, 'PATCH', `/api/orgs/${orgId}/members/${m.id}`, { role: 'viewer' });
    expect(demoted.status).toBe(200);
    expect(demoted.json()).toMatchObject({ role: 'viewer', changed: true });
    // A role change also ends the member's sessions (src/teams/change-role.ts): the old session is refused on both.
    expect((await view(m.browser, web2.port!, 'After')).status).toBe(401);
    expect((await m.browser.request(web1.port!, 'GET', `/api/orgs/${orgId}`)).status).toBe(401);
    // Signed in again (on the other instance), they are a Viewer: reading works, the Member-only write is 403.
    const again = new Browser(m.browser.ip);
    await again.csrf(web1.port!);
    expect((await again.request(web1.port!, 'POST', '/api/auth/login', { email: m.email, password: PASSWORD })).status).toBe(200);
    // The enrolment's code cannot be replayed: verify with the next time step's code.
    expect((await again.request(web1.port!, 'POST', '/api/auth/totp/verify', { code: totpCodeAt(m.secret, new Date(Date.now() + 30_000)) })).status).toBe(200);
    for (const port of [web1.port!, web2.port!]) expect((await again.request(port, 'GET', `/api/orgs/${orgId}`)).json()).toMatchObject({ role: 'viewer' });
    const refused = await view(again, web2.port!, 'After');
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('an Admin removing a member on one instance ends that member\'s session on the other', async () => {
    const orgId = orgs[0]!.orgId;
    const m = await member('member');
    expect((await m.browser.request(web2.port!, 'GET', `/api/orgs/${orgId}`)).status).toBe(200);
    expect((await browser.request(web1.port!, 'DELETE', `/api/orgs/${orgId}/members/${m.id}`)).status).toBe(204);
    expect((await m.browser.request(web2.port!, 'GET', `/api/orgs/${orgId}`)).status).toBe(401);
    expect((await m.browser.request(web2.port!, 'GET', '/api/auth/sessions')).status).toBe(401);
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

  type JobRow = { id: string; singleton_key: string; state: string; retry_count: number };
  const syncJobs = async (connectionId?: string) =>
    (await sql<JobRow>`select id, singleton_key, state, retry_count from pgboss.job where name = ${SYNC_QUEUE} ${connectionId ? sql`and singleton_key = ${connectionId}` : sql``} order by created_on`.execute(operator.db.owner)).rows;
  const startedOn = (p: Proc, jobId: string) => p.out().split('\n').some((l) => l.includes('stripe sync job started') && l.includes(jobId));

  it('each sync job runs on exactly one worker: one backfill per connection, no retries', async () => {
    const log = emulator.store.log;
    log.reset();
    const connections: string[] = [];
    for (const [i, o] of orgs.slice(0, 3).entries()) {
      const { connectionId } = await connectRestrictedKey(operator.services.stripe.deps, { orgId: o.orgId, userId: o.userId, restrictedKey: `rk_test_scaleOut${i}xyz${1000 + i}` });
      connections.push(connectionId);
    }
    let rows: JobRow[] = [];
    for (let i = 0; i < 600; i++) {
      rows = await syncJobs();
      const settled = rows.every((r) => r.state === 'completed' || r.state === 'failed');
      if (settled && connections.every((c) => rows.some((r) => r.singleton_key === c && r.state === 'completed'))) break;
      await sleep(250);
    }
    for (const c of connections) expect(rows.filter((r) => r.singleton_key === c && r.state === 'completed').length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((r) => r.retry_count > 0 || r.state === 'failed')).toEqual([]);
    // Every job started on one worker only.
    for (const r of rows) expect(workers.filter((w) => startedOn(w, r.id)).map((w) => w.name), r.id).toHaveLength(1);
    // The backfill's first customers page was fetched exactly once per connection (keys end 1000, 1001, 1002).
    // (Connecting lists one customer with limit=1 to check the key; that is not the backfill.)
    const firstPages = log.all().filter((r) => {
      const q = new URLSearchParams(String(r.query ?? ''));
      return r.path === '/v1/customers' && !q.has('starting_after') && q.get('limit') !== '1';
    });
    for (let i = 0; i < 3; i++) expect(firstPages.filter((r) => String(r.key).endsWith(String(1000 + i))).length, `connection ${i}`).toBe(1);
  }, 180_000);

  it('a worker SIGKILLed mid-job has its job finished by the other worker, every object stored once', async () => {
    const org = orgs[3]!;
    const key = 'rk_test_scaleKill9xyz2000';
    // Every emulator request slowed, so the backfill spans several jobs and the kill lands inside one.
    faults.latencyMs = 150;
    try {
      const { connectionId } = await connectRestrictedKey(operator.services.stripe.deps, { orgId: org.orgId, userId: org.userId, restrictedKey: key });
      // Wait until a worker holds the job and has stored some rows, then kill exactly that worker.
      let victim: { job: JobRow; worker: Proc } | undefined;
      for (let i = 0; i < 600 && !victim; i++) {
        const active = (await syncJobs(connectionId)).find((r) => r.state === 'active');
        const stored = Object.values(await syncedCounts(operator.db, connectionId)).reduce((a, b) => a + b, 0);
        const holder = active && workers.find((w) => startedOn(w, active.id));
        if (active && holder && stored > 0) victim = { job: active, worker: holder };
        else await sleep(100);
      }
      expect(victim, 'a worker was running the sync job').toBeDefined();
      const { job, worker } = victim!;
      const survivor = workers.find((w) => w !== worker)!;
      const exited = new Promise((r) => worker.child.once('exit', r));
      worker.child.kill('SIGKILL');
      await exited;
      expect(worker.child.signalCode).toBe('SIGKILL');
      const before = await sql<{ done: boolean; objects_synced: string }>`select done, objects_synced from stripe_sync_state where connection_id = ${connectionId} and object_type not like '%:%' and object_type <> 'event_poll'`.execute(operator.db.owner);
      expect(before.rows.some((r) => Number(r.objects_synced) > 0), 'rows stored before the kill').toBe(true);
      expect(before.rows.length < 11 || before.rows.some((r) => !r.done), 'killed mid-backfill').toBe(true);

      // The killed job stays active until it expires (8 s); the maintenance pass then hands it to the survivor.
      let rows: JobRow[] = [];
      for (let i = 0; i < 480; i++) {
        rows = await syncJobs(connectionId);
        const state = await sql<{ done: boolean }>`select done from stripe_sync_state where connection_id = ${connectionId} and object_type not like '%:%' and object_type <> 'event_poll'`.execute(operator.db.owner);
        const finished = rows.every((r) => r.state === 'completed' || r.state === 'failed') && state.rows.length === 11 && state.rows.every((r) => r.done);
        if (finished && rows.some((r) => r.id === job.id && r.state === 'completed')) break;
        await sleep(250);
      }
      const killed = rows.find((r) => r.id === job.id);
      expect(killed, survivor.out().slice(-4000)).toMatchObject({ state: 'completed' });
      expect(killed!.retry_count).toBeGreaterThanOrEqual(1);
      expect(startedOn(survivor, job.id)).toBe(true);
      expect(rows.filter((r) => r.state === 'failed')).toEqual([]);

      // Every object the emulator lists is stored, once, and counted once (no page written twice).
      faults.latencyMs = 0;
      const expected = await emulatorIds(emulator.url, key);
      expect(await storedIds(operator.db, connectionId)).toEqual(expected);
      const counts = await syncedCounts(operator.db, connectionId);
      expect(Object.fromEntries(Object.entries(expected).map(([table, ids]) => [table.replace(/^stripe_/, ''), ids.length]))).toEqual(counts);
    } finally {
      faults.latencyMs = 0;
    }
  }, 240_000);

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
