// The analytics slice as the composition root sees it: the query dependencies, the materialisation runner,
// the routes, and the hook the Stripe slice calls when synced data changes.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import type { Queue } from '../jobs/queue.js';
import type { StripeChange } from '../stripe/stripe-deps.js';
import { AnalyticsCache } from './cache.js';
import { ResponseCache } from './response-cache.js';
import type { AnalyticsCrypto } from './load.js';
import type { QueryDeps } from './queries.js';
import { fxRoutes } from './fx-routes.js';
import { analyticsRoutes, type RouteDeps } from './routes.js';
import { AnalyticsRunner, type RunnerEvents } from './runner.js';

export interface AnalyticsServiceInput {
  db: Db;
  crypto: AnalyticsCrypto;
  clock: Clock;
  logger: Logger;
  events?: RunnerEvents;
}

export interface AnalyticsService {
  readonly deps: QueryDeps;
  readonly runner: AnalyticsRunner;
  routes(hooks?: Pick<RouteDeps, 'onExport'>): FastifyPluginAsync[];
  /** The Stripe slice's onChange: keeps the snapshot fresh (never throws). */
  onStripeChange(change: StripeChange): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Moves full recomputes onto the deployment's job queue (src/jobs). */
  useQueue(queue: Queue, opts?: { pollingIntervalSeconds?: number }): Promise<void>;
  /** Resolves when no materialisation work is running or pending in this process (tests, benchmarks). */
  idle(): Promise<void>;
}

const ref = (v: unknown): string | null =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : null;

/** Catalogue objects change many customers' figures at once: recompute the organisation (debounced). */
const CATALOGUE = new Set(['coupon', 'price', 'plan', 'product']);
const CATALOGUE_DEBOUNCE_MS = 5_000;

export function createAnalyticsService(input: AnalyticsServiceInput): AnalyticsService {
  const logger = input.logger.child({ slice: 'analytics' });
  const runner = new AnalyticsRunner({ db: input.db, crypto: input.crypto, clock: input.clock, logger }, logger, input.events);
  const deps: QueryDeps = {
    db: input.db,
    crypto: input.crypto,
    clock: input.clock,
    cache: new AnalyticsCache(input.crypto),
    responses: new ResponseCache(),
    onStale: (orgId) => runner.requestRefresh(orgId),
  };
  const onStripeChange = (change: StripeChange): void => {
    try {
      const { orgId, connectionId } = change;
      // A disconnect deleted the connection's synced rows: the snapshot is rebuilt without them, so no
      // figure, customer name or fact derived from them outlives them.
      if (change.kind === 'backfilled' || change.kind === 'disconnected') {
        runner.requestFull(orgId);
        return;
      }
      const o = change.object;
      if (CATALOGUE.has(change.objectName)) runner.requestFull(orgId, CATALOGUE_DEBOUNCE_MS);
      else if (change.objectName === 'customer') runner.requestCustomer(orgId, { connectionId, customerId: String(o['id']) });
      else if (change.objectName === 'subscription' || change.objectName === 'invoice' || change.objectName === 'charge') {
        const customerId = ref(o['customer']);
        if (customerId) runner.requestCustomer(orgId, { connectionId, customerId });
      } else if (change.objectName === 'refund') {
        const chargeId = ref(o['charge']);
        if (!chargeId) return;
        void withOrg(input.db, orgId, (tx) => tx.selectFrom('stripe_charges').select('customer_id').where('connection_id', '=', connectionId).where('id', '=', chargeId).executeTakeFirst())
          .then((row) => { if (row?.customer_id) runner.requestCustomer(orgId, { connectionId, customerId: row.customer_id }); })
          .catch(() => undefined);
      }
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'analytics could not take a Stripe change');
    }
  };
  return {
    deps,
    runner,
    routes: (hooks = {}) => [analyticsRoutes({ ...deps, runner, logger, ...hooks }), fxRoutes({ db: input.db, clock: input.clock, runner })],
    onStripeChange,
    async start() {
      runner.start();
    },
    stop: () => runner.stop(),
    useQueue: (queue, opts) => runner.useQueue(queue, opts),
    idle: () => runner.idle(),
  };
}
