/**
 * Builders shared by the auth tests (not exported from index.ts): a server with the auth plugin and routes
 * over a test database, a movable clock, a counting bcrypt hasher, in-memory audit and mail, and a small
 * "browser" that keeps cookies and sends the CSRF token and Origin like the SPA does.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync, LightMyRequestResponse } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import { loadConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { createLogger } from '../http/logger.js';
import { buildServer } from '../http/server.js';
import { loadTls } from '../http/tls.js';
import type { Mailer, MailMessage } from '../mail/mailer.js';
import { memoryAudit } from './auth-audit.js';
import type { AuthDeps, UserOrg } from './auth-deps.js';
import { authPlugin } from './auth-plugin.js';
import { authRoutes } from './auth-routes.js';
import { createUser } from './create-user.js';
import type { FieldCrypto, FieldLocation } from './field-crypto.js';
import { createLoginThrottle } from './login-throttle.js';
import { bcryptHasher, type PasswordHasher } from './password-hasher.js';
import { SESSION_COOKIE } from './sessions.js';
import { totpCodeAt } from './totp.js';

export const TEST_ORIGIN = 'https://mowt.test';
export const GOOD_PASSWORD = 'correct horse battery staple 42';

/** AES-256-GCM + HMAC with keys made per test run; stands in for src/crypto's service, same interface. */
export function testFieldCrypto(): FieldCrypto {
  const key = crypto.randomBytes(32);
  const indexKey = crypto.randomBytes(32);
  const ad = (ctx: FieldLocation) => Buffer.from(`${ctx.table}\0${ctx.column}\0${ctx.rowId}`);
  return {
    async encryptSystemField(ctx, plaintext) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv).setAAD(ad(ctx));
      const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return `t1:${Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url')}`;
    },
    async decryptSystemField(ctx, ciphertext) {
      const raw = Buffer.from(ciphertext.slice(3), 'base64url');
      const d = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(ad(ctx));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
    },
    async blindIndex(_orgId, kind, value) {
      return crypto.createHmac('sha256', indexKey).update(`${kind}\0${value}`).digest('base64url');
    },
  };
}

export interface ManualClock {
  (): Date;
  advance(ms: number): void;
  set(at: Date): void;
}

export function manualClock(start = new Date('2026-03-02T09:00:00Z')): ManualClock {
  let now = start.getTime();
  return Object.assign(() => new Date(now), {
    advance: (ms: number) => {
      now += ms;
    },
    set: (at: Date) => {
      now = at.getTime();
    },
  });
}

/** bcrypt at a low cost (tests only) that counts its comparisons. */
export function countingHasher(cost = 4): PasswordHasher & { compares: number; hashes: number } {
  const inner = bcryptHasher(cost);
  const counter = {
    compares: 0,
    hashes: 0,
    hash: async (p: string) => {
      counter.hashes++;
      return inner.hash(p);
    },
    verify: async (p: string, h: string) => {
      counter.compares++;
      return inner.verify(p, h);
    },
    dummyHash: () => inner.dummyHash(),
  };
  return counter;
}

export function memoryMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(m) {
      sent.push(m);
    },
  };
}

export interface AuthHarness {
  server: FastifyInstance;
  deps: AuthDeps;
  clock: ManualClock;
  hasher: ReturnType<typeof countingHasher>;
  audit: ReturnType<typeof memoryAudit>;
  mail: ReturnType<typeof memoryMailer>;
  sleeps: number[];
  close(): Promise<void>;
}

export async function startAuthHarness(db: Db, overrides: Partial<AuthDeps> = {}, extraRoutes: FastifyPluginAsync[] = []): Promise<AuthHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-auth-'));
  const config = loadConfig({ MOWT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MOWT_BASE_URL: TEST_ORIGIN });
  const logger = createLogger({ level: 'silent' });
  const clock = manualClock();
  const hasher = countingHasher();
  const audit = memoryAudit();
  const mail = memoryMailer();
  const sleeps: number[] = [];
  const deps: AuthDeps = {
    db,
    clock,
    config,
    logger,
    hasher,
    crypto: testFieldCrypto(),
    mailer: mail,
    audit,
    throttle: createLoginThrottle(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    listOrgs: async (): Promise<UserOrg[]> => [],
    ...overrides,
  };
  const server = await buildServer({
    tls: await loadTls({ dataDir }),
    logger,
    trustProxy: [],
    bodyLimit: config.bodyLimit,
    routes: [authPlugin(deps), authRoutes(deps), ...extraRoutes],
  });
  await server.ready();
  return {
    server,
    deps,
    clock,
    hasher,
    audit,
    mail,
    sleeps,
    async close() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A browser tab: keeps cookies, fetches and sends the CSRF token, sends a same-origin Origin. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  private csrfToken: string | undefined;

  constructor(
    private readonly server: FastifyInstance,
    readonly ip = '203.0.113.10',
  ) {}

  async request(method: Method, url: string, opts: { body?: unknown; headers?: Record<string, string>; csrf?: boolean; origin?: string | null } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { 'user-agent': 'test-browser', ...opts.headers };
    if (method !== 'GET') {
      if (opts.origin !== null) headers.origin = opts.origin ?? TEST_ORIGIN;
      if (opts.csrf !== false) headers['x-csrf-token'] = await this.csrf();
    }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.server.inject({
      method,
      url,
      headers,
      remoteAddress: this.ip,
      ...(opts.body !== undefined ? { payload: opts.body as object } : method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const gone = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.value === '';
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  async csrf(): Promise<string> {
    if (!this.csrfToken) {
      const res = await this.request('GET', '/api/auth/csrf');
      this.csrfToken = (res.json() as { token: string }).token;
    }
    return this.csrfToken;
  }

  get sessionToken(): string | undefined {
    return this.cookies.get(SESSION_COOKIE);
  }

  post(url: string, body: unknown = {}, opts: { headers?: Record<string, string>; csrf?: boolean; origin?: string | null } = {}) {
    return this.request('POST', url, { ...opts, body });
  }
}

let emailCounter = 0;
export function uniqueEmail(prefix = 'user'): string {
  emailCounter += 1;
  return `${prefix}.${emailCounter}.${crypto.randomBytes(3).toString('hex')}@example.com`;
}

/** Creates a user, signs in and enrols TOTP: returns a fully signed-in browser and the user's secrets. */
export async function signedInUser(h: AuthHarness, opts: { email?: string; ip?: string } = {}) {
  const email = opts.email ?? uniqueEmail();
  const { id } = await createUser(h.deps, { email, name: 'Ada Lovelace', password: GOOD_PASSWORD });
  const browser = new TestBrowser(h.server, opts.ip);
  const login = await browser.post('/api/auth/login', { email, password: GOOD_PASSWORD });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const enrol = await browser.post('/api/auth/totp/enroll');
  const { secret } = enrol.json() as { secret: string };
  const confirm = await browser.post('/api/auth/totp/confirm', { code: totpCodeAt(secret, h.clock()) });
  if (confirm.statusCode !== 200) throw new Error(`confirm failed: ${confirm.body}`);
  const { recoveryCodes } = confirm.json() as { recoveryCodes: string[] };
  return { id, email, browser, secret, recoveryCodes };
}

/**
 * The same database with every statement the app role runs noted by kind ('SelectQueryNode', 'InsertQueryNode'…):
 * tests compare the work done for a real and an unknown account, since a write or an extra round trip for one
 * of them only is what a caller could time.
 */
export function recordingDb(db: Db): { db: Db; kinds: string[] } {
  const kinds: string[] = [];
  const recorder: KyselyPlugin = {
    transformQuery: (args) => {
      kinds.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: { ...db, app: db.app.withPlugin(recorder) }, kinds };
}
