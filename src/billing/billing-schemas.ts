// The JSON answers of the billing routes as TypeBox schemas: the routes' response schemas (Fastify
// serialises exactly these fields: never the Stripe customer or subscription id, nor the plans' Stripe
// price ids) and, type-only, the web app's billing page and plan banner. Imports nothing but TypeBox.
import { Type, type Static } from 'typebox';
import { IsoTime, Nullable } from '../http/schema-primitives.js';

const Pence = Type.Integer({ description: 'GBP pence' });

export const PlanStateSchema = Type.Union([
  Type.Literal('trialing'), Type.Literal('trial_expired'), Type.Literal('active'), Type.Literal('past_due'),
  Type.Literal('read_only'), Type.Literal('canceled'), Type.Literal('ended'), Type.Literal('pending_erasure'),
]);
export const PlanAccessSchema = Type.Union([Type.Literal('full'), Type.Literal('read_only'), Type.Literal('locked')]);
export type PlanAccess = Static<typeof PlanAccessSchema>;
export const PlanLimitsSchema = Type.Object({ stripeConnections: Type.Integer(), members: Type.Integer() });

/** GET /api/orgs/:orgId/billing (Admins): the plan, trial, limits and usage, and the plans on sale. */
export const BillingSummarySchema = Type.Object({
  /** false: the organisation is not under self-serve billing (e.g. created by an operator) */
  managed: Type.Boolean(),
  state: Type.Union([PlanStateSchema, Type.Null()]),
  access: PlanAccessSchema,
  plan: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  interval: Type.Union([Type.Literal('month'), Type.Literal('year'), Type.Null()]),
  trialEndsAt: Nullable(IsoTime),
  trialDaysLeft: Type.Union([Type.Integer(), Type.Null()]),
  currentPeriodEnd: Nullable(IsoTime),
  graceEndsAt: Nullable(IsoTime),
  accessEndsAt: Nullable(IsoTime),
  eraseAfter: Nullable(IsoTime),
  limits: Type.Union([PlanLimitsSchema, Type.Null()]),
  usage: Type.Object({ members: Type.Integer(), stripeConnections: Type.Integer() }),
  /** the organisation's tracked MRR in GBP pence; null when unknown (not reporting in GBP, nothing computed) */
  trackedMrrPence: Type.Union([Pence, Type.Null()]),
  recommendedPlan: Type.Union([Type.String(), Type.Null()]),
  upgradeRequired: Type.Boolean(),
  checkoutAvailable: Type.Boolean(),
  portalAvailable: Type.Boolean(),
  currency: Type.Literal('gbp'),
  plans: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    maxMrrPence: Type.Union([Pence, Type.Null()]),
    monthlyPence: Type.Union([Pence, Type.Null()]),
    yearlyPence: Type.Union([Pence, Type.Null()]),
    limits: PlanLimitsSchema,
  })),
});
export type BillingSummary = Static<typeof BillingSummarySchema>;

/** GET /api/orgs/:orgId/billing/status (every member): what the layout's plan banner needs. */
export const BillingStatusSchema = Type.Object({
  managed: Type.Boolean(),
  state: Type.Union([PlanStateSchema, Type.Null()]),
  access: PlanAccessSchema,
  trialDaysLeft: Type.Union([Type.Integer(), Type.Null()]),
  trialEndsAt: Nullable(IsoTime),
  graceEndsAt: Nullable(IsoTime),
  accessEndsAt: Nullable(IsoTime),
  upgradeRequired: Type.Boolean(),
});
export type BillingStatus = Static<typeof BillingStatusSchema>;

/** POST …/billing/checkout and …/billing/portal: the hosted Stripe page to send the browser to. */
export const BillingRedirectSchema = Type.Object({ url: Type.String() });
export type BillingRedirect = Static<typeof BillingRedirectSchema>;

/** POST /api/billing/webhook: acknowledged; `applied` says whether it changed an organisation's plan. */
export const BillingWebhookAnswerSchema = Type.Object({ received: Type.Literal(true), applied: Type.Boolean() });
export type BillingWebhookAnswer = Static<typeof BillingWebhookAnswerSchema>;
