// The organisation's plan as a state machine, in pure functions (no I/O): what a billing event or the
// passing of time does to it, and what access it grants. The repository stores what these return; the
// routes, webhook handler and plan job only move data in and out.
//
//   trialing ──trial ends──▶ trial_expired (read-only; subscribe to continue)
//   trialing | trial_expired | past_due | read_only ──checkout completed / invoice paid──▶ active
//   active ──renewal fails──▶ past_due (full access during the grace period) ──grace ends──▶ read_only
//   any paid state ──subscription deleted──▶ canceled (read-only until the paid period ends)
//   canceled ──period ends──▶ ended (locked: billing and export only; data kept retentionDays)
//   ended ──retention ends──▶ pending_erasure (erased by the GDPR slice's deletion, or by an operator)
import type { BillingInterval, PlanState } from './billing.table.js';
import type { PlanAccess } from './billing-schemas.js';

export interface PlanSnapshot {
  state: PlanState;
  planId: string | null;
  interval: BillingInterval | null;
  trialEndsAt: Date;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  currentPeriodEnd: Date | null;
  pastDueSince: Date | null;
  graceEndsAt: Date | null;
  canceledAt: Date | null;
  accessEndsAt: Date | null;
  eraseAfter: Date | null;
}

export interface PlanPolicy {
  graceDays: number;
  retentionDays: number;
}

/** What an organisation may do: everything, read only, or only billing/export/deletion. */
export type { PlanAccess };

/** Things worth an email to the organisation's Admins. */
export type PlanNotice =
  | 'trial_ending'
  | 'trial_expired'
  | 'activated'
  | 'plan_changed'
  | 'payment_failed'
  | 'read_only'
  | 'payment_recovered'
  | 'canceled'
  | 'access_ended'
  | 'erasure_due';

export interface Transition {
  next: PlanSnapshot;
  notices: PlanNotice[];
}

const DAY = 24 * 60 * 60 * 1000;
export const TRIAL_REMINDER_DAYS = 3;

export function newTrial(now: Date, trialDays: number): PlanSnapshot {
  return {
    state: 'trialing', planId: null, interval: null, trialEndsAt: new Date(now.getTime() + trialDays * DAY),
    stripeCustomerId: null, stripeSubscriptionId: null, currentPeriodEnd: null, pastDueSince: null, graceEndsAt: null,
    canceledAt: null, accessEndsAt: null, eraseAfter: null,
  };
}

/** Access at `now`, taking time-driven steps into account even if the plan job has not run yet. */
export function planAccess(plan: PlanSnapshot, now: Date): PlanAccess {
  const current = advanceInTime(plan, now).next;
  switch (current.state) {
    case 'trialing':
    case 'active':
    case 'past_due':
      return 'full';
    case 'trial_expired':
    case 'read_only':
    case 'canceled':
      return 'read_only';
    case 'ended':
    case 'pending_erasure':
      return 'locked';
  }
}

/** Whole days left in the trial (rounded up), 0 once it has ended; null when not trialing. */
export function trialDaysLeft(plan: PlanSnapshot, now: Date): number | null {
  if (plan.state !== 'trialing') return null;
  return Math.max(0, Math.ceil((plan.trialEndsAt.getTime() - now.getTime()) / DAY));
}

/** Time-driven steps due at `now` (applied repeatedly, so a long-idle organisation catches up at once). */
export function advanceInTime(plan: PlanSnapshot, now: Date, policy?: PlanPolicy): Transition {
  let next = plan;
  const notices: PlanNotice[] = [];
  for (let i = 0; i < 5; i++) {
    const t = now.getTime();
    if (next.state === 'trialing' && t >= next.trialEndsAt.getTime()) {
      next = { ...next, state: 'trial_expired' };
      notices.push('trial_expired');
    } else if (next.state === 'past_due' && next.graceEndsAt && t >= next.graceEndsAt.getTime()) {
      next = { ...next, state: 'read_only' };
      notices.push('read_only');
    } else if (next.state === 'canceled' && next.accessEndsAt && t >= next.accessEndsAt.getTime()) {
      const retention = policy?.retentionDays ?? 30;
      next = { ...next, state: 'ended', eraseAfter: next.eraseAfter ?? new Date(next.accessEndsAt.getTime() + retention * DAY) };
      notices.push('access_ended');
    } else if (next.state === 'ended' && next.eraseAfter && t >= next.eraseAfter.getTime()) {
      next = { ...next, state: 'pending_erasure' };
      notices.push('erasure_due');
    } else break;
  }
  return { next, notices };
}

/** When the next time-driven step falls due (for the plan job's directory), or null. */
export function nextDueAt(plan: PlanSnapshot): Date | null {
  switch (plan.state) {
    case 'trialing': {
      const reminder = new Date(plan.trialEndsAt.getTime() - TRIAL_REMINDER_DAYS * DAY);
      return reminder;
    }
    case 'past_due':
      return plan.graceEndsAt;
    case 'canceled':
      return plan.accessEndsAt;
    case 'ended':
      return plan.eraseAfter;
    default:
      return null;
  }
}

/** The parts of Stripe's billing events that drive the plan (parsed and validated by the webhook handler). */
export type BillingEvent =
  | { type: 'checkout.completed'; customerId: string; subscriptionId: string; planId: string; interval: BillingInterval; periodEnd: Date | null }
  | { type: 'subscription.updated'; subscriptionId: string; status: string; planId: string | null; interval: BillingInterval | null; periodEnd: Date | null; cancelAtPeriodEnd: boolean }
  | { type: 'subscription.deleted'; subscriptionId: string; periodEnd: Date | null }
  | { type: 'invoice.paid'; subscriptionId: string | null; periodEnd: Date | null }
  | { type: 'invoice.payment_failed'; subscriptionId: string | null };

function cleared(plan: PlanSnapshot): PlanSnapshot {
  return { ...plan, pastDueSince: null, graceEndsAt: null, canceledAt: null, accessEndsAt: null, eraseAfter: null };
}

export function applyBillingEvent(plan: PlanSnapshot, event: BillingEvent, now: Date, policy: PlanPolicy): Transition {
  // Events of a subscription this organisation no longer has (an old one, replaced) change nothing.
  if ('subscriptionId' in event && event.type !== 'checkout.completed' && event.subscriptionId && plan.stripeSubscriptionId && event.subscriptionId !== plan.stripeSubscriptionId) {
    return { next: plan, notices: [] };
  }
  const failed = (p: PlanSnapshot): Transition => {
    if (p.state === 'past_due' || p.state === 'read_only') return { next: p, notices: [] };
    if (p.state !== 'active') return { next: p, notices: [] };
    return {
      next: { ...p, state: 'past_due', pastDueSince: now, graceEndsAt: new Date(now.getTime() + policy.graceDays * DAY) },
      notices: ['payment_failed'],
    };
  };
  const canceled = (p: PlanSnapshot, periodEnd: Date | null): Transition => {
    if (p.state === 'canceled' || p.state === 'ended' || p.state === 'pending_erasure') return { next: p, notices: [] };
    const accessEndsAt = periodEnd && periodEnd.getTime() > now.getTime() ? periodEnd : now;
    return {
      next: { ...p, state: 'canceled', canceledAt: now, accessEndsAt, eraseAfter: new Date(accessEndsAt.getTime() + policy.retentionDays * DAY) },
      notices: ['canceled'],
    };
  };
  switch (event.type) {
    case 'checkout.completed': {
      const wasPaying = plan.state === 'active';
      return {
        next: { ...cleared(plan), state: 'active', planId: event.planId, interval: event.interval, stripeCustomerId: event.customerId, stripeSubscriptionId: event.subscriptionId, currentPeriodEnd: event.periodEnd ?? plan.currentPeriodEnd },
        notices: [wasPaying ? 'plan_changed' : 'activated'],
      };
    }
    case 'subscription.updated': {
      const withPlan: PlanSnapshot = { ...plan, planId: event.planId ?? plan.planId, interval: event.interval ?? plan.interval, currentPeriodEnd: event.periodEnd ?? plan.currentPeriodEnd };
      const planChanged = event.planId !== null && plan.planId !== null && event.planId !== plan.planId;
      if (event.status === 'past_due' || event.status === 'unpaid') return failed(withPlan);
      if (event.status === 'canceled' || event.status === 'incomplete_expired') return canceled(withPlan, event.periodEnd);
      if (event.status === 'active' || event.status === 'trialing') {
        const recovering = plan.state === 'past_due' || plan.state === 'read_only';
        const reviving = plan.state === 'trialing' || plan.state === 'trial_expired';
        const next = recovering || reviving ? { ...cleared(withPlan), state: 'active' as const } : withPlan;
        const notices: PlanNotice[] = recovering ? ['payment_recovered'] : reviving ? ['activated'] : planChanged ? ['plan_changed'] : [];
        return { next, notices };
      }
      return { next: withPlan, notices: [] };
    }
    case 'subscription.deleted':
      return canceled(plan, event.periodEnd ?? plan.currentPeriodEnd);
    case 'invoice.paid': {
      const periodEnd = event.periodEnd ?? plan.currentPeriodEnd;
      if (plan.state === 'past_due' || plan.state === 'read_only') {
        return { next: { ...cleared(plan), state: 'active', currentPeriodEnd: periodEnd }, notices: ['payment_recovered'] };
      }
      return { next: { ...plan, currentPeriodEnd: periodEnd }, notices: [] };
    }
    case 'invoice.payment_failed':
      return failed(plan);
  }
}
