// Builds a running Mowt from a Config: database (migrated), TLS, HTTPS server and the HTTP redirect.
// Shared by `npm start`, the CLI and tests, so all of them exercise the same wiring.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { acquireEmbeddedLock } from './db/embedded-lock.js';
import { migrateToLatest } from './db/migrate.js';
import { healthRoutes } from './http/health.js';
import { createLogger } from './http/logger.js';
import { createRedirectServer } from './http/redirect.js';
import { buildServer } from './http/server.js';
import { spaRoutes } from './http/spa.js';
import { loadTls } from './http/tls.js';
import { WEB_DIST } from './paths.js';
import { systemClock, type Clock } from './clock.js';
import type { Services } from './services.js';
import { createStripeService } from './stripe/index.js';
import { createAnalyticsService } from './analytics/index.js';
import { authPlugin, authRoutes, createAuthDeps, databaseAudit, type AuthDeps } from './auth/index.js';
import { auditKeyEvents, createFieldCrypto, createKmsFromConfig } from './crypto/index.js';
import { createMailer, type Mailer } from './mail/index.js';
import { createTeamsDeps, listUserOrgs, permissionHook, teamsRoutes } from './teams/index.js';
import { auditRoutes } from './audit/index.js';
import { backupStatusRoutes } from './backup/status-routes.js';
import { gdprRoutes } from './gdpr/routes.js';
import { listMembers } from './teams/list-members.js';
import { createCommercial, type CommercialOverrides } from './billing/wiring.js';
import { createSecurityOps } from './security-events/security-ops.js';
import { createRateLimitService, type RateLimitOptions } from './ratelimit/index.js';
import { bearerPlugin, tokenRoutes } from './tokens/index.js';
import { apiV1Routes } from './api-v1/index.js';
import { metricsV1Routes } from './api-v1/metrics-routes.js';
import { createErrorTracker, createMetrics, disclosureRoutes, errorTrackingPlugin, startMetricsServer } from './ops/index.js';
import { viewsRoutes } from './views/index.js';

export interface App {
  config: Config;
  db: Db;
  services: Services;
  server: FastifyInstance;
  redirect: http.Server;
  logger: Logger;
  /** Starts both listeners; returns the bound ports (useful when configured as 0). */
  listen(): Promise<{ httpsPort: number; httpPort: number }>;
  /** The internal Prometheus listener's port once listening (MOWT_METRICS_LISTEN), or null when off. */
  metricsPort(): number | null;
  close(): Promise<void>;
}

export interface AppOverrides {
  logger?: Logger;
  db?: Db;
  clock?: Clock;
  /** Extra route plugins (tests); registered before the SPA catch-all. */
  routes?: FastifyPluginAsync[];
  webDist?: string;
  mailer?: Mailer;
  /** Replaces parts of authentication (tests: a cheaper bcrypt cost, a counting hasher, throttle limits). */
  auth?: Partial<AuthDeps>;
  /** Sees every route as it is registered (the security suites walk them all). */
  onRoute?: (route: RouteOptions) => void;
  /** Sign-up, billing and digest parts (tests: billing client, sign-up timing, metrics source). */
  commercial?: CommercialOverrides;
  /** Rate-limit key prefix and per-class limits (tests: a unique prefix, small limits). */
  rateLimit?: Partial<RateLimitOptions>;
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  // PGlite is single-process: hold the folder's lock while serving, so operator commands refuse to open it.
  const lock = !overrides.db && config.database.kind === 'pglite' ? acquireEmbeddedLock(config.database.dir, 'mowt server') : null;
  let db: Db;
  try {
    db = overrides.db ?? (await openDatabase(config.database, (err) => logger.warn({ err }, 'database connection closed by the server')));
  } catch (err) {
    lock?.release();
    throw err;
  }
  // Closed with the app (and on a failed start): connections the slices open, such as the rate-limit store.
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const applied = await migrateToLatest(db.owner);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    const clock = overrides.clock ?? systemClock;
    const crypto = await createFieldCrypto({ db, kms: createKmsFromConfig(config), clock, onEvent: auditKeyEvents(db) });
    const mailer = overrides.mailer ?? createMailer(config, logger);
    // Security monitor first: authentication reports its failures to it (src/security-events, src/staff, src/incidents).
    const securityOps = createSecurityOps({ config, db, logger, clock, crypto, mailer });
    cleanups.push(() => securityOps.close());
    const auth = createAuthDeps({ config, db, logger, clock }, { crypto, mailer, audit: securityOps.observeAuth(databaseAudit(db, clock)), listOrgs: listUserOrgs }, overrides.auth);
    const secOps = securityOps.withAuth(auth);
    const reportExport = (e: Parameters<typeof securityOps.monitor.recordExport>[0]) => securityOps.monitor.recordExport(e);
    const teams = createTeamsDeps(auth, crypto);
    const stripe = createStripeService({ config, db, logger, clock, crypto });
    // Analytics keeps its daily snapshots fresh from every change the Stripe slice stores.
    const analytics = createAnalyticsService({ db, crypto, clock, logger });
    stripe.deps.onChange = analytics.onStripeChange;
    const commercial = createCommercial({ config, db, logger, clock, crypto, mailer, auth, teams, stripe }, overrides.commercial);
    const services: Services = { config, db, logger, clock, crypto, mailer, auth, teams, stripe, analytics, security: securityOps.monitor, billing: commercial.billing, digest: commercial.digest };
    const tls = await loadTls({ ...config.tls, dataDir: config.dataDir });
    const rateLimit = await createRateLimitService({ redisUrl: config.redisUrl, logger }, overrides.rateLimit);
    cleanups.push(() => rateLimit.close());
    const limits = rateLimit.plugins((request) => (request.apiToken ? `token:${request.apiToken.id}` : request.auth ? `user:${request.auth.userId}` : request.staff ? `staff:${request.staff.staffId}` : null));
    const tokens = { db, crypto, clock };
    // Error tracking only with SENTRY_DSN; Prometheus counters always (served only with MOWT_METRICS_LISTEN).
    const tracker = config.sentryDsn ? createErrorTracker({ dsn: config.sentryDsn, environment: config.env }) : null;
    if (tracker) cleanups.push(() => tracker.close());
    const metrics = createMetrics({ db, clock, onGaugeError: (err) => logger.warn({ err }, 'metrics gauge failed') });
    let metricsServer: { port: number; close(): Promise<void> } | null = null;
    cleanups.push(async () => metricsServer?.close());
    const server = await buildServer({
      tls,
      logger,
      trustProxy: config.trustProxy,
      bodyLimit: config.bodyLimit,
      onRoute: overrides.onRoute,
      // The permission hook checks each permission route's role after the auth plugin (it depends on it).
      // Rate limits: by IP before anything else, by user after authentication.
      // API tokens (bearer, /api/v1 only) are checked before sessions, so the session plugin can insist on one.
      routes: [limits.byIp, metrics.plugin, ...(tracker ? [errorTrackingPlugin(tracker)] : []), bearerPlugin(tokens, { onUse: (t) => void securityOps.monitor.recordTokenUse(t.orgId, t.id).catch((err: unknown) => logger.warn({ err }, 'token usage not recorded')) }), authPlugin(auth, { loadStaff: secOps.loadStaff }), limits.bySubject, healthRoutes(db), authRoutes(auth), permissionHook({ db, clock, staffGate: secOps.staffGate }), ...commercial.gates, secOps.httpMonitor, teamsRoutes(teams), auditRoutes({ db, clock }), tokenRoutes(tokens), apiV1Routes({ ...tokens, baseUrl: () => config.baseUrl, extra: [metricsV1Routes(analytics.deps)] }), disclosureRoutes({ contact: config.securityContact, baseUrl: () => config.baseUrl, clock }), viewsRoutes({ db, clock, crypto }), gdprRoutes({ db, crypto, clock, listMembers: (orgId) => listMembers(teams, orgId), onExport: reportExport }), backupStatusRoutes({ db, config }), ...stripe.routes(), ...analytics.routes({ onExport: reportExport }), ...commercial.routes, ...secOps.routes, ...(overrides.routes ?? []), spaRoutes(overrides.webDist ?? WEB_DIST)],
    });
    await server.ready();
    await stripe.start();
    await analytics.start();
    const redirect = createRedirectServer(() => config.baseUrl);
    return {
      config,
      db,
      services,
      server,
      redirect,
      logger,
      metricsPort: () => metricsServer?.port ?? null,
      async listen() {
        await server.listen({ port: config.port, host: config.host });
        await new Promise<void>((resolve, reject) => {
          redirect.once('error', reject);
          redirect.listen(config.httpPort, config.host, () => resolve());
        });
        const httpsPort = (server.server.address() as AddressInfo).port;
        const httpPort = (redirect.address() as AddressInfo).port;
        // With PORT=0 (tests) the origin is only known now; a configured MOWT_BASE_URL always wins.
        if (!config.baseUrlConfigured) config.baseUrl = `https://localhost${httpsPort === 443 ? '' : `:${httpsPort}`}`;
        if (config.metricsListen) metricsServer = await startMetricsServer(metrics.registry, config.metricsListen);
        return { httpsPort, httpPort };
      },
      async close() {
        await new Promise<void>((resolve) => (redirect.listening ? redirect.close(() => resolve()) : resolve()));
        await server.close();
        await stripe.stop();
        await analytics.stop();
        await auth.close();
        for (const cleanup of cleanups) await cleanup();
        if (!overrides.db) await db.close();
        lock?.release();
      },
    };
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    if (!overrides.db) await db.close();
    lock?.release();
    throw err;
  }
}
