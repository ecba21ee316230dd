/**
 * The real Mowt application (src/app.ts createApp) for the teams, audit and security suites, over a test
 * database, with an onRoute collector so suites can walk every registered route. Users sign in through the real login and
 * TOTP routes (never by forging a session), with a movable clock, low-cost bcrypt and an in-memory mailbox.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { createApp, type AppOverrides } from '../../src/app.js';
import type { AuthDeps } from '../../src/auth/auth-deps.js';
import { createUser } from '../../src/auth/create-user.js';
import { countingHasher, GOOD_PASSWORD, manualClock, memoryMailer, TEST_ORIGIN, TestBrowser, type ManualClock } from '../../src/auth/test-support.js';
import { totpCodeAt } from '../../src/auth/totp.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/database.js';
import { withOrg } from '../../src/db/tenant.js';
import { createLogger } from '../../src/http/logger.js';
import { createAdmin, type Role, type TeamsDeps } from '../../src/teams/index.js';
import type { Services } from '../../src/services.js';
import { createStaff } from '../../src/staff/staff-accounts.js';

export { GOOD_PASSWORD, TEST_ORIGIN, TestBrowser };

export interface CollectedRoute {
  method: string;
  url: string;
  access: string;
  /** The route's config.rateLimit (a class name, explicit limits or a function). */
  rateLimit?: unknown;
}

export interface TeamsApp {
  server: FastifyInstance;
  db: Db;
  clock: ManualClock;
  auth: AuthDeps;
  teams: TeamsDeps;
  mail: ReturnType<typeof memoryMailer>;
  /** All of the app's services (e.g. the security monitor). */
  services: Services;
  /** Every route the server registered (HEAD included), in registration order. */
  routes: CollectedRoute[];
  close(): Promise<void>;
}

/**
 * The real application (createApp: the same plugins, hooks, routes and services as `npm start`, real field
 * encryption with a local keyring) over a test database. Only the costs are test-sized: bcrypt at cost 4,
 * no login back-off sleeps, a movable clock and an in-memory mailbox.
 */
export async function startTeamsApp(db: Db, options: Pick<AppOverrides, 'rateLimit' | 'routes' | 'mailer'> & { env?: Record<string, string> } = {}): Promise<TeamsApp> {
  const { env, ...extra } = options;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-teams-'));
  const config = loadConfig({ MOWT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MOWT_BASE_URL: TEST_ORIGIN, ...env });
  const clock = manualClock(new Date());
  const mail = memoryMailer();
  const routes: CollectedRoute[] = [];
  const app = await createApp(config, {
    db,
    clock,
    mailer: mail,
    logger: createLogger({ level: 'silent' }),
    auth: { hasher: countingHasher(4), sleep: async () => undefined },
    // These suites sign dozens of people in from one test address within seconds, which the production
    // per-IP auth budget (60 a minute) rightly refuses; the rate-limit suite tests the real budgets.
    rateLimit: { policy: { auth: { ip: { points: 100_000, windowS: 60 }, subject: { points: 100_000, windowS: 60 } } } },
    ...extra,
    onRoute: (r: RouteOptions) => {
      for (const method of [r.method].flat()) routes.push({ method: String(method), url: r.url, access: String(r.config?.access), rateLimit: r.config?.rateLimit });
    },
  });
  return {
    server: app.server,
    db,
    clock,
    auth: app.services.auth,
    teams: app.services.teams,
    services: app.services,
    mail,
    routes,
    async close() {
      await app.close();
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

/**
 * A Mowt staff member signed in through the real staff setup and login routes (own cookie, no membership),
 * from their own address so their requests spend their own rate-limit budget.
 */
export async function newSignedInStaff(app: TeamsApp, ip = '198.51.100.77'): Promise<{ id: string; browser: TestBrowser }> {
  const email = `support.${crypto.randomBytes(3).toString('hex')}@mowt.test`;
  const password = 'kettle orbit marmalade 71 quietly';
  const { id, token } = await createStaff({ db: app.db, crypto: app.services.crypto, clock: app.clock }, { email, name: 'Sam Support' });
  const browser = new TestBrowser(app.server, ip);
  const setup = await browser.post('/api/staff/setup', { token, password });
  if (setup.statusCode !== 200) throw new Error(`staff setup failed: ${setup.body}`);
  const { secret } = setup.json() as { secret: string };
  const confirm = await browser.post('/api/staff/setup/confirm', { token, code: totpCodeAt(secret, app.clock()) });
  if (confirm.statusCode !== 200) throw new Error(`staff setup confirm failed: ${confirm.body}`);
  app.clock.advance(30_000);
  const login = await browser.post('/api/staff/login', { email, password, code: totpCodeAt(secret, app.clock()) });
  if (login.statusCode !== 200) throw new Error(`staff login failed: ${login.body}`);
  return { id, browser };
}
