/**
 * A real Mowt HTTP stack for the teams, audit and security suites: the auth plugin and routes, the
 * permission hook, the teams and audit routes — composed like src/app.ts — over a test database, with an
 * onRoute collector so suites can walk every registered route. Users sign in through the real login and
 * TOTP routes (never by forging a session), with a movable clock, low-cost bcrypt and an in-memory mailbox.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { databaseAudit } from '../../src/auth/auth-audit.js';
import type { AuthDeps } from '../../src/auth/auth-deps.js';
import { authPlugin } from '../../src/auth/auth-plugin.js';
import { authRoutes } from '../../src/auth/auth-routes.js';
import { createUser } from '../../src/auth/create-user.js';
import type { FieldCrypto as AuthFieldCrypto, FieldLocation } from '../../src/auth/field-crypto.js';
import { createLoginThrottle } from '../../src/auth/login-throttle.js';
import { countingHasher, GOOD_PASSWORD, manualClock, memoryMailer, TEST_ORIGIN, TestBrowser, type ManualClock } from '../../src/auth/test-support.js';
import { totpCodeAt } from '../../src/auth/totp.js';
import { auditRoutes } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/database.js';
import { withOrg } from '../../src/db/tenant.js';
import { healthRoutes } from '../../src/http/health.js';
import { createLogger } from '../../src/http/logger.js';
import { buildServer } from '../../src/http/server.js';
import { loadTls } from '../../src/http/tls.js';
import { createAdmin, createTeamsDeps, listUserOrgs, permissionHook, teamsRoutes, type OrgCrypto, type Role, type TeamsDeps } from '../../src/teams/index.js';

export { GOOD_PASSWORD, TEST_ORIGIN, TestBrowser };

/**
 * Stands in for src/crypto's FieldCrypto (same interface): AES-256-GCM with one key per scope made for this
 * test run, bound to table/column/row, and HMAC blind indexes.
 */
export function testCrypto(): AuthFieldCrypto & OrgCrypto & { orgKeys: Set<string> } {
  const keys = new Map<string, Buffer>();
  const orgKeys = new Set<string>();
  const keyOf = (scope: string) => {
    let k = keys.get(scope);
    if (!k) {
      k = crypto.randomBytes(32);
      keys.set(scope, k);
    }
    return k;
  };
  const ad = (scope: string, ctx: FieldLocation) => Buffer.from(`${scope}\0${ctx.table}\0${ctx.column}\0${ctx.rowId}`);
  const enc = async (scope: string, ctx: FieldLocation, plaintext: string) => {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', keyOf(scope), iv).setAAD(ad(scope, ctx));
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return `t1:${Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url')}`;
  };
  const dec = async (scope: string, ctx: FieldLocation, ciphertext: string) => {
    const raw = Buffer.from(ciphertext.slice(3), 'base64url');
    const d = crypto.createDecipheriv('aes-256-gcm', keyOf(scope), raw.subarray(0, 12)).setAAD(ad(scope, ctx));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
  };
  return {
    orgKeys,
    encryptSystemField: (ctx, p) => enc('system', ctx, p),
    decryptSystemField: (ctx, c) => dec('system', ctx, c),
    encryptField: (orgId, ctx, p) => enc(orgId ?? 'system', ctx, p),
    decryptField: (orgId, ctx, c) => dec(orgId ?? 'system', ctx, c),
    async createOrgKey(orgId) {
      orgKeys.add(orgId);
      keyOf(orgId);
    },
    async blindIndex(orgId, kind, value) {
      return crypto.createHmac('sha256', keyOf(`index:${orgId ?? 'system'}`)).update(`${kind}\0${value}`).digest('base64url');
    },
  };
}

export interface CollectedRoute {
  method: string;
  url: string;
  access: string;
}

export interface TeamsApp {
  server: FastifyInstance;
  db: Db;
  clock: ManualClock;
  auth: AuthDeps;
  teams: TeamsDeps;
  mail: ReturnType<typeof memoryMailer>;
  crypto: ReturnType<typeof testCrypto>;
  /** Every route the server registered (HEAD included), in registration order. */
  routes: CollectedRoute[];
  close(): Promise<void>;
}

/** The route plugins of the API, in the order src/app.ts registers them. */
export function apiPlugins(db: Db, auth: AuthDeps, teams: TeamsDeps) {
  return [healthRoutes(db), authPlugin(auth), authRoutes(auth), permissionHook({ db, clock: auth.clock }), teamsRoutes(teams), auditRoutes({ db, clock: auth.clock })];
}

export async function startTeamsApp(db: Db): Promise<TeamsApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-teams-'));
  const config = loadConfig({ MOWT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MOWT_BASE_URL: TEST_ORIGIN });
  const logger = createLogger({ level: 'silent' });
  const clock = manualClock(new Date());
  const mail = memoryMailer();
  const fieldCrypto = testCrypto();
  const auth: AuthDeps = {
    db,
    clock,
    config,
    logger,
    hasher: countingHasher(4),
    crypto: fieldCrypto,
    mailer: mail,
    audit: databaseAudit(db, clock),
    throttle: createLoginThrottle(),
    sleep: async () => undefined,
    listOrgs: listUserOrgs,
  };
  const teams = createTeamsDeps(auth, fieldCrypto);
  const routes: CollectedRoute[] = [];
  const collector = fp(async (app: FastifyInstance) => {
    app.addHook('onRoute', (r: RouteOptions) => {
      for (const method of [r.method].flat()) routes.push({ method: String(method), url: r.url, access: String(r.config?.access) });
    });
  });
  const server = await buildServer({
    tls: await loadTls({ dataDir }),
    logger,
    trustProxy: [],
    bodyLimit: config.bodyLimit,
    routes: [collector, ...apiPlugins(db, auth, teams)],
  });
  await server.ready();
  return {
    server,
    db,
    clock,
    auth,
    teams,
    mail,
    crypto: fieldCrypto,
    routes,
    async close() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${counter}.${crypto.randomBytes(3).toString('hex')}@example.com`;
}

export interface SignedIn {
  id: string;
  email: string;
  browser: TestBrowser;
  secret: string;
}

/** Signs an existing user in through the real login and TOTP routes (enrolling TOTP on first sign-in). */
export async function signIn(app: TeamsApp, user: { id: string; email: string; secret?: string }, ip?: string): Promise<SignedIn> {
  const browser = new TestBrowser(app.server, ip);
  const login = await browser.post('/api/auth/login', { email: user.email, password: GOOD_PASSWORD });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const { next } = login.json() as { next: string };
  let secret = user.secret;
  if (next === 'enroll-totp') {
    const enrol = await browser.post('/api/auth/totp/enroll');
    secret = (enrol.json() as { secret: string }).secret;
    const confirm = await browser.post('/api/auth/totp/confirm', { code: totpCodeAt(secret, app.clock()) });
    if (confirm.statusCode !== 200) throw new Error(`TOTP confirm failed: ${confirm.body}`);
  } else {
    if (!secret) throw new Error('user has TOTP but no secret was given');
    // A code works once: move to the next time step before verifying again.
    app.clock.advance(30_000);
    const verify = await browser.post('/api/auth/totp/verify', { code: totpCodeAt(secret, app.clock()) });
    if (verify.statusCode !== 200) throw new Error(`TOTP verify failed: ${verify.body}`);
  }
  return { id: user.id, email: user.email, browser, secret: secret as string };
}

/** A new user with a password, not in any organisation, signed in with 2FA. */
export async function newSignedInUser(app: TeamsApp, prefix = 'user'): Promise<SignedIn> {
  const email = uniqueEmail(prefix);
  const { id } = await createUser(app.auth, { email, name: `${prefix} person`, password: GOOD_PASSWORD });
  return signIn(app, { id, email });
}

export interface TestOrg {
  id: string;
  admin: SignedIn;
}

/** An organisation created by `create-admin`, its Admin signed in. */
export async function newOrg(app: TeamsApp, name = 'Acme Ltd'): Promise<TestOrg> {
  const email = uniqueEmail('admin');
  const { orgId, userId } = await createAdmin(app.teams, { email, orgName: name, password: GOOD_PASSWORD });
  return { id: orgId, admin: await signIn(app, { id: userId, email }) };
}

/**
 * A signed-in member of `orgId` with `role`. The membership row is written directly (test set-up of data),
 * while the member still authenticates through the real routes and hooks.
 */
export async function newMember(app: TeamsApp, orgId: string, role: Role): Promise<SignedIn> {
  const user = await newSignedInUser(app, role);
  await withOrg(app.db, orgId, (tx) => tx.insertInto('memberships').values({ org_id: orgId, user_id: user.id, role }).execute());
  return user;
}
