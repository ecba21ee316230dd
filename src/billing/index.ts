// Mowt's own subscription billing (Stripe hosted Checkout + Customer Portal on Mowt's account).
export { createBillingClient, type BillingClient, type BillingClientOptions } from './billing-client.js';
export { createBillingService, type BillingDeps, type BillingService, type BillingSummary } from './billing-service.js';
export { scheduleBillingJobs, BILLING_QUEUE } from './billing-jobs.js';
export { planGate } from './plan-gate.js';
export { billingRoutes } from './routes.js';
export { analyticsTrackedMrr } from './tracked-mrr.js';
export { DEFAULT_PLAN_CATALOG, parsePlanCatalog, type Plan, type PlanCatalog } from './plans.js';
export { applyBillingEvent, advanceInTime, planAccess, newTrial, trialDaysLeft, type PlanSnapshot } from './plan-state.js';
