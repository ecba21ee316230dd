// The Stripe slice as the composition root sees it: dependencies built from config, the route plugins,
// and the sync scheduler's lifecycle.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Queue } from '../jobs/queue.js';
import { createStripeReader } from './client.js';
import { createStripeOAuthClient, type OAuthApp, type StripeOAuthClient } from './oauth-client.js';
import { isTestModeToken, RateLimiters } from './rate-limiter.js';
import { stripeRoutes } from './routes.js';
import type { StripeCrypto, StripeDeps } from './stripe-deps.js';
import { inProcessScheduler, registerSyncJobs, type SyncScheduler } from './sync-scheduler.js';
import { stripeWebhookRoutes } from './webhook-routes.js';

export interface StripeServiceInput {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  crypto: StripeCrypto;
}

export interface StripeService {
  readonly deps: StripeDeps;
  /** Where sync requests go now: the in-process runner, or the shared job queue once attached. */
  readonly scheduler: SyncScheduler;
  routes(): FastifyPluginAsync[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Points the slice at an in-process emulator (the embedded demo) when no MOWT_STRIPE_API_BASE is set.
   * Its OAuth client stands in for the Stripe App unless real App credentials are configured.
   */
  useEmulator(url: string, oauthApp: OAuthApp): void;
  /**
   * Moves sync passes onto the deployment's shared job queue (src/jobs): registers the Stripe queues,
   * workers and poll schedule on it; passes already running in-process finish first.
   */
  /** `work: false` (web-tier processes) only sends sync jobs; worker processes run them. */
  useQueue(queue: Queue, opts?: { pollingIntervalSeconds?: number; work?: boolean }): Promise<void>;
}

export function createStripeService(input: StripeServiceInput): StripeService {
  const { config, db, logger, clock, crypto } = input;
  let apiBase = config.stripeApiBase;
  let oauth: StripeOAuthClient | undefined = config.stripeApp ? createStripeOAuthClient(config.stripeApp, apiBase) : undefined;
  const limiters = new RateLimiters({ livePerSecond: config.stripeRateLimit, testPerSecond: config.stripeTestRateLimit, endpointPerSecond: config.stripeEndpointRateLimit });
  const deps: StripeDeps = {
    db, clock, logger: logger.child({ slice: 'stripe' }), crypto,
    get apiBase() { return apiBase; },
    get oauth() { return oauth; },
    baseUrl: () => config.baseUrl,
    appWebhookSecret: config.stripeWebhookSecret,
    limiters,
    readerFor: (token, connectionId) => createStripeReader({ apiBase, token, limiter: limiters.for(connectionId, isTestModeToken(token) ? 'test' : 'live') }),
    // The scheduler is built just below; requests only arrive once the service runs.
    requestSync: (orgId, connectionId) => scheduler.requestSync(orgId, connectionId),
  };
  // Aborted on stop: a running pass (in-process or a queue job in this process) halts between pages, and
  // its committed cursor makes the next pass resume there.
  const shutdown = new AbortController();
  const local = inProcessScheduler(() => deps, deps.logger, config.stripePollSeconds, shutdown.signal);
  let scheduler: SyncScheduler = local;
  return {
    deps,
    get scheduler() { return scheduler; },
    routes: () => [stripeRoutes(deps), stripeWebhookRoutes(deps)],
    start: () => scheduler.start(),
    async stop() {
      shutdown.abort();
      await scheduler.stop();
      await local.stop();
    },
    async useQueue(queue, opts = {}) {
      scheduler = await registerSyncJobs(queue, {
        deps: () => deps, logger: deps.logger, pollSeconds: config.stripePollSeconds, signal: shutdown.signal,
        timing: { budgetSeconds: config.jobs.syncBudgetSeconds, expireSeconds: config.jobs.syncExpireSeconds },
        before: (connectionId) => local.settled(connectionId), ...opts,
      });
      local.handOver();
    },
    useEmulator(url, oauthApp) {
      if (config.stripeApiBase) return;
      apiBase = url;
      if (!config.stripeApp) oauth = createStripeOAuthClient(oauthApp, url);
    },
  };
}
