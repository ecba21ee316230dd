// The real application (createApp) over a test database with the Stripe emulator as its Stripe API, an
// organisation whose Admin connected the emulator's business through the real route, and the sync plus the
// analytics recompute it triggers run to completion. Shared by the analytics tests and the benchmark.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RouteOptions } from 'fastify';
import { createApp, type App } from '../app.js';
import { countingHasher, manualClock, memoryMailer, TEST_ORIGIN, type ManualClock } from '../auth/test-support.js';
import { loadConfig } from '../config.js';
import type { DbKind } from '../db/database.js';
import { createLogger } from '../http/logger.js';
import type { RateLimitOptions } from '../ratelimit/index.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { newMember, newOrg, type CollectedRoute, type SignedIn, type TeamsApp, type TestOrg } from '../../test/security/support.js';

export const ANALYTICS_NOW = new Date('2026-11-01T12:00:00Z');
export const RESTRICTED_KEY = 'rk_test_analyticsKey1234';

export interface AnalyticsApp {
  app: App;
  teamsApp: TeamsApp;
  t: TestDatabase;
  emulator: RunningEmulator;
  clock: ManualClock;
  org: TestOrg;
  connectionId: string;
  member: SignedIn;
  viewer: SignedIn;
  /** waits for every sync pass and analytics job of this process */
  settle(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startAnalyticsApp(
  kind: DbKind, emulatorOpts: EmulatorOptions = {}, env: Record<string, string> = {}, rateLimit: Partial<RateLimitOptions> = {},
): Promise<AnalyticsApp> {
  const t = await createTestDatabase(kind);
  const emulator = await startEmulator({ business: 'demo', seed: 1, now: () => ANALYTICS_NOW, rateLimitPerSecond: null, ...emulatorOpts });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-analytics-'));
  const clock = manualClock(ANALYTICS_NOW);
  const routes: CollectedRoute[] = [];
  const config = loadConfig({ MOWT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MOWT_BASE_URL: TEST_ORIGIN, MOWT_STRIPE_API_BASE: emulator.url, ...env });
  const mail = memoryMailer();
  const app = await createApp(config, {
    db: t.db, clock, mailer: mail, logger: createLogger({ level: 'silent' }),
    auth: { hasher: countingHasher(4), sleep: async () => undefined },
    rateLimit: { keyPrefix: `analytics-${Math.random().toString(36).slice(2)}`, ...rateLimit },
    onRoute: (r: RouteOptions) => {
      for (const method of [r.method].flat()) routes.push({ method: String(method), url: r.url, access: String(r.config?.access) });
    },
  });
  const teamsApp: TeamsApp = {
    server: app.server, db: t.db, clock, auth: app.services.auth, teams: app.services.teams, mail, routes, services: app.services,
    close: async () => undefined,
  };
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await app.services.stripe.scheduler.idle();
      await app.services.analytics.idle();
    }
  };
  try {
    const org = await newOrg(teamsApp, 'Analytics Demo Ltd');
    const res = await org.admin.browser.post(`/api/orgs/${org.id}/stripe/connections`, { restrictedKey: RESTRICTED_KEY });
    if (res.statusCode !== 201) throw new Error(`connect failed: ${res.statusCode} ${res.body}`);
    const connectionId = (res.json() as { connectionId: string }).connectionId;
    await settle();
    const member = await newMember(teamsApp, org.id, 'member');
    const viewer = await newMember(teamsApp, org.id, 'viewer');
    return {
      app, teamsApp, t, emulator, clock, org, connectionId, member, viewer, settle,
      async dispose() {
        await app.close();
        await emulator.close();
        await t.dispose();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await app.close().catch(() => undefined);
    await emulator.close();
    await t.dispose();
    throw err;
  }
}
