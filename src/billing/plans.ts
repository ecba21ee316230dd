// Mowt's own price list: plans by the customer's tracked MRR band, monthly or yearly, in GBP. The default
// below is what a deployment sells unless MOWT_BILLING_PLANS (JSON, same shape) replaces it; either way it
// is validated against PlanCatalogSchema at start, so a typo stops the process instead of mispricing.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

export const PlanSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z][a-z0-9_-]{1,40}$' }),
  name: Type.String({ minLength: 1, maxLength: 60 }),
  /** Upper end of the tracked MRR band in pence (GBP); null = no upper bound (custom, sales-led). */
  maxMrrPence: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  /** Prices in pence; null = not sold self-serve (contact sales). */
  monthlyPence: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  yearlyPence: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** Stripe Price ids on Mowt's account; when absent, Checkout gets inline price_data with the amounts above. */
  stripePrices: Type.Optional(Type.Object({ month: Type.Optional(Type.String({ pattern: '^price_' })), year: Type.Optional(Type.String({ pattern: '^price_' })) })),
  limits: Type.Object({
    stripeConnections: Type.Integer({ minimum: 1 }),
    members: Type.Integer({ minimum: 1 }),
  }),
});
export type Plan = Static<typeof PlanSchema>;

export const PlanCatalogSchema = Type.Object({
  currency: Type.Literal('gbp'),
  trialDays: Type.Integer({ minimum: 0, maximum: 90 }),
  /** Days of full access after a failed renewal before the organisation turns read-only. */
  graceDays: Type.Integer({ minimum: 0, maximum: 60 }),
  /** Days data is kept after access ends (cancellation) before erasure. */
  retentionDays: Type.Integer({ minimum: 1, maximum: 365 }),
  /** The plan whose limits apply during the trial. */
  trialPlan: Type.String(),
  plans: Type.Array(PlanSchema, { minItems: 1 }),
});
export type PlanCatalog = Static<typeof PlanCatalogSchema>;

export const DEFAULT_PLAN_CATALOG: PlanCatalog = {
  currency: 'gbp',
  trialDays: 14,
  graceDays: 7,
  retentionDays: 30,
  trialPlan: 'growth',
  plans: [
    { id: 'starter', name: 'Starter', maxMrrPence: 10_000_00, monthlyPence: 49_00, yearlyPence: 490_00, limits: { stripeConnections: 1, members: 5 } },
    { id: 'growth', name: 'Growth', maxMrrPence: 50_000_00, monthlyPence: 99_00, yearlyPence: 990_00, limits: { stripeConnections: 3, members: 15 } },
    { id: 'scale', name: 'Scale', maxMrrPence: 250_000_00, monthlyPence: 249_00, yearlyPence: 2_490_00, limits: { stripeConnections: 10, members: 50 } },
    { id: 'custom', name: 'Custom', maxMrrPence: null, monthlyPence: null, yearlyPence: null, limits: { stripeConnections: 50, members: 500 } },
  ],
};

export class PlanCatalogError extends Error {
  override name = 'PlanCatalogError';
}

/** Validates a catalogue (from config JSON or the default): schema, unique ids, bands ascending, trial plan exists. */
export function parsePlanCatalog(input: unknown): PlanCatalog {
  const first = Value.Errors(PlanCatalogSchema, input)[0];
  if (first) throw new PlanCatalogError(`billing plans: ${first.instancePath || '/'} ${first.message}`);
  const catalog = input as PlanCatalog;
  const ids = new Set<string>();
  let previous = 0;
  catalog.plans.forEach((plan, i) => {
    if (ids.has(plan.id)) throw new PlanCatalogError(`billing plans: duplicate plan id ${plan.id}`);
    ids.add(plan.id);
    const band = plan.maxMrrPence ?? Number.POSITIVE_INFINITY;
    if (band <= previous) throw new PlanCatalogError(`billing plans: MRR bands must ascend (${plan.id})`);
    if (plan.maxMrrPence === null && i !== catalog.plans.length - 1) throw new PlanCatalogError('billing plans: only the last plan may be unbounded');
    previous = band;
  });
  if (!ids.has(catalog.trialPlan)) throw new PlanCatalogError(`billing plans: trialPlan ${catalog.trialPlan} is not a plan`);
  return catalog;
}

export function findPlan(catalog: PlanCatalog, id: string | null | undefined): Plan | null {
  return catalog.plans.find((p) => p.id === id) ?? null;
}

/** The smallest plan whose band covers this MRR (pence). */
export function planForMrr(catalog: PlanCatalog, mrrPence: number): Plan {
  const plan = catalog.plans.find((p) => p.maxMrrPence === null || mrrPence <= p.maxMrrPence);
  return plan ?? (catalog.plans[catalog.plans.length - 1] as Plan);
}

export function isSelfServe(plan: Plan, interval: 'month' | 'year'): boolean {
  return (interval === 'month' ? plan.monthlyPence : plan.yearlyPence) !== null;
}
