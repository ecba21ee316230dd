// Assembles sign-up, Mowt's own billing and customer communications for src/app.ts: the services, the
// gates that run after the role check (email verification for sign-up accounts, plan access and limits),
// and the routes. Kept here so the composition root changes by a few lines only.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { AuthDeps } from '../auth/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { createDigestService, digestRoutes, type DigestService, type MetricsSource, type SlackSender, analyticsMetricsSource } from '../digest/index.js';
import type { Mailer } from '../mail/mailer.js';
import { createSignupThrottle, signupRoutes, verificationGate, type SignupThrottle } from '../signup/index.js';
import type { TeamsDeps } from '../teams/index.js';
import type { StripeService } from '../stripe/index.js';
import { createBillingClient, type BillingClient } from './billing-client.js';
import { createBillingService, type BillingService } from './billing-service.js';
import { deleteOrganisation } from '../gdpr/index.js';
import { withOrg } from '../db/tenant.js';
import { planGate } from './plan-gate.js';
import { billingRoutes } from './routes.js';
import { analyticsTrackedMrr } from './tracked-mrr.js';

export interface CommercialOverrides {
  /** Sign-up answers take at least this long (default 1000 ms). */
  signupMinDurationMs?: number;
  signupThrottle?: SignupThrottle;
  billingClient?: BillingClient | null;
  trackedMrr?: (orgId: string) => Promise<number | null>;
  metrics?: MetricsSource;
  slack?: SlackSender;
  /** Observes background work (tests await the mail it sends). */
  onBackground?: (task: Promise<void>) => void;
}

export interface Commercial {
  billing: BillingService;
  digest: DigestService;
  gates: FastifyPluginAsync[];
  routes: FastifyPluginAsync[];
}

export function createCommercial(
  deps: { config: Config; db: Db; logger: Logger; clock: Clock; crypto: FieldCrypto; mailer: Mailer; auth: AuthDeps; teams: TeamsDeps; stripe: StripeService },
  overrides: CommercialOverrides = {},
): Commercial {
  const { config, db, logger, clock, crypto, mailer } = deps;
  const client = overrides.billingClient !== undefined ? overrides.billingClient : config.billing ? createBillingClient(config.billing) : null;
  const billing = createBillingService({
    db, clock, logger, config, crypto, mailer, catalog: config.billingPlans, client,
    trackedMrr: overrides.trackedMrr ?? analyticsTrackedMrr(db),
    // Retention after cancellation is over: the GDPR slice's deletion (keys destroyed, rows removed, audit kept).
    eraseOrganisation: async (orgId) => {
      const org = await withOrg(db, orgId, (tx) => tx.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirst());
      if (org) await deleteOrganisation({ db, crypto, clock }, { orgId, actorId: null, confirmName: org.name });
    },
  });
  const digest = createDigestService({ db, clock, logger, config, crypto, mailer, metrics: overrides.metrics ?? analyticsMetricsSource(db, crypto), slack: overrides.slack });
  const background = (task: () => Promise<void>) => {
    const running = task().catch((err: unknown) => logger.error({ err }, 'background sign-up work failed'));
    overrides.onBackground?.(running);
  };
  return {
    billing,
    digest,
    gates: [verificationGate({ db }), planGate({ db, clock, catalog: config.billingPlans })],
    routes: [
      billingRoutes(billing),
      signupRoutes({
        auth: deps.auth, teams: deps.teams, stripe: deps.stripe, billing, background,
        throttle: overrides.signupThrottle ?? createSignupThrottle(),
        minDurationMs: overrides.signupMinDurationMs ?? 1000,
      }),
      digestRoutes(digest),
    ],
  };
}
