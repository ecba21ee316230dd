// The plan state machine and the price list, as pure functions.
import { describe, expect, it } from 'vitest';
import { advanceInTime, applyBillingEvent, newTrial, nextDueAt, planAccess, trialDaysLeft } from './plan-state.js';
import { DEFAULT_PLAN_CATALOG, parsePlanCatalog, planForMrr, PlanCatalogError } from './plans.js';

const DAY = 86_400_000;
const t0 = new Date('2026-11-01T12:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);
const policy = { graceDays: 7, retentionDays: 30 };
const paid = () => applyBillingEvent(newTrial(t0, 14), { type: 'checkout.completed', customerId: 'cus_1', subscriptionId: 'sub_1', planId: 'starter', interval: 'month', periodEnd: at(30) }, at(2), policy).next;

describe('plan state', () => {
  it('counts trial days and ends the trial read-only', () => {
    const trial = newTrial(t0, 14);
    expect(trialDaysLeft(trial, at(0))).toBe(14);
    expect(trialDaysLeft(trial, at(13.5))).toBe(1);
    expect(planAccess(trial, at(13.9))).toBe('full');
    expect(planAccess(trial, at(14))).toBe('read_only');
    expect(advanceInTime(trial, at(15), policy)).toMatchObject({ next: { state: 'trial_expired' }, notices: ['trial_expired'] });
    expect(nextDueAt(trial)).toEqual(at(11));
  });

  it('keeps full access for exactly the grace period after a failed renewal', () => {
    const failed = applyBillingEvent(paid(), { type: 'invoice.payment_failed', subscriptionId: 'sub_1' }, at(32), policy);
    expect(failed).toMatchObject({ next: { state: 'past_due', graceEndsAt: at(39) }, notices: ['payment_failed'] });
    // A second failure during the grace period does not restart it.
    expect(applyBillingEvent(failed.next, { type: 'invoice.payment_failed', subscriptionId: 'sub_1' }, at(35), policy).next.graceEndsAt).toEqual(at(39));
    expect(planAccess(failed.next, at(38.99))).toBe('full');
    expect(planAccess(failed.next, at(39))).toBe('read_only');
    const recovered = applyBillingEvent(advanceInTime(failed.next, at(40), policy).next, { type: 'invoice.paid', subscriptionId: 'sub_1', periodEnd: at(70) }, at(40), policy);
    expect(recovered).toMatchObject({ next: { state: 'active', graceEndsAt: null, currentPeriodEnd: at(70) }, notices: ['payment_recovered'] });
  });

  it('cancelled: read-only until the period ends, locked, then erasure after the retention', () => {
    const canceled = applyBillingEvent(paid(), { type: 'subscription.deleted', subscriptionId: 'sub_1', periodEnd: at(30) }, at(10), policy).next;
    expect(canceled).toMatchObject({ state: 'canceled', accessEndsAt: at(30), eraseAfter: at(60) });
    expect(planAccess(canceled, at(29))).toBe('read_only');
    expect(planAccess(canceled, at(31))).toBe('locked');
    expect(advanceInTime(canceled, at(61), policy)).toMatchObject({ next: { state: 'pending_erasure' }, notices: ['access_ended', 'erasure_due'] });
  });

  it('ignores events of a subscription the organisation no longer has', () => {
    const plan = paid();
    expect(applyBillingEvent(plan, { type: 'invoice.payment_failed', subscriptionId: 'sub_old' }, at(5), policy).next).toBe(plan);
  });
});

describe('price list', () => {
  it('picks the band for a tracked MRR', () => {
    expect(planForMrr(DEFAULT_PLAN_CATALOG, 9_999_00).id).toBe('starter');
    expect(planForMrr(DEFAULT_PLAN_CATALOG, 10_000_01).id).toBe('growth');
    expect(planForMrr(DEFAULT_PLAN_CATALOG, 300_000_00).id).toBe('custom');
  });

  it('refuses a catalogue with unordered bands, duplicate ids or a missing trial plan', () => {
    const plans = DEFAULT_PLAN_CATALOG.plans;
    expect(() => parsePlanCatalog({ ...DEFAULT_PLAN_CATALOG, plans: [plans[1], plans[0]] })).toThrow(PlanCatalogError);
    expect(() => parsePlanCatalog({ ...DEFAULT_PLAN_CATALOG, plans: [plans[0], plans[0]] })).toThrow(/duplicate/);
    expect(() => parsePlanCatalog({ ...DEFAULT_PLAN_CATALOG, trialPlan: 'nope' })).toThrow(/trialPlan/);
    expect(() => parsePlanCatalog({ ...DEFAULT_PLAN_CATALOG, currency: 'usd' })).toThrow(PlanCatalogError);
    expect(parsePlanCatalog(DEFAULT_PLAN_CATALOG)).toBe(DEFAULT_PLAN_CATALOG);
  });
});
