// Plan rows in and out of the database. org_billing is tenant data (call inside withOrg); the directory and
// processed-event tables are system tables the webhook and the plan job read before an organisation is known.
import type { Tx } from '../db/tenant.js';
import type { OrgBillingRow } from './billing.table.js';
import { nextDueAt, type PlanNotice, type PlanSnapshot } from './plan-state.js';

export function toSnapshot(row: OrgBillingRow): PlanSnapshot {
  return {
    state: row.state, planId: row.plan_id, interval: row.billing_interval, trialEndsAt: row.trial_ends_at,
    stripeCustomerId: row.stripe_customer_id, stripeSubscriptionId: row.stripe_subscription_id, currentPeriodEnd: row.current_period_end,
    pastDueSince: row.past_due_since, graceEndsAt: row.grace_ends_at, canceledAt: row.canceled_at, accessEndsAt: row.access_ends_at, eraseAfter: row.erase_after,
  };
}

function columns(plan: PlanSnapshot) {
  return {
    state: plan.state, plan_id: plan.planId, billing_interval: plan.interval, trial_ends_at: plan.trialEndsAt,
    stripe_customer_id: plan.stripeCustomerId, stripe_subscription_id: plan.stripeSubscriptionId, current_period_end: plan.currentPeriodEnd,
    past_due_since: plan.pastDueSince, grace_ends_at: plan.graceEndsAt, canceled_at: plan.canceledAt, access_ends_at: plan.accessEndsAt, erase_after: plan.eraseAfter,
  };
}

export async function findPlanRow(tx: Tx, orgId: string): Promise<OrgBillingRow | null> {
  return (await tx.selectFrom('org_billing').selectAll().where('org_id', '=', orgId).executeTakeFirst()) ?? null;
}

/** The row locked for an update (concurrent webhooks and the job serialise on it). */
export async function lockPlanRow(tx: Tx, orgId: string): Promise<OrgBillingRow | null> {
  return (await tx.selectFrom('org_billing').selectAll().where('org_id', '=', orgId).forUpdate().executeTakeFirst()) ?? null;
}

export async function insertPlan(tx: Tx, orgId: string, plan: PlanSnapshot, now: Date): Promise<void> {
  await tx.insertInto('org_billing').values({ org_id: orgId, ...columns(plan), created_at: now, updated_at: now }).execute();
  await tx.insertInto('billing_directory').values({ org_id: orgId, stripe_customer_id: plan.stripeCustomerId, next_due_at: nextDueAt(plan) }).execute();
}

export async function savePlan(tx: Tx, orgId: string, plan: PlanSnapshot, now: Date, sentNotices?: string[]): Promise<void> {
  await tx
    .updateTable('org_billing')
    .set({ ...columns(plan), updated_at: now, ...(sentNotices ? { notices_sent: JSON.stringify(sentNotices) } : {}) })
    .where('org_id', '=', orgId)
    .execute();
  await tx.updateTable('billing_directory').set({ stripe_customer_id: plan.stripeCustomerId, next_due_at: nextDueAt(plan) }).where('org_id', '=', orgId).execute();
}

export async function orgOfCustomer(tx: Tx, customerId: string): Promise<string | null> {
  const row = await tx.selectFrom('billing_directory').select('org_id').where('stripe_customer_id', '=', customerId).executeTakeFirst();
  return row?.org_id ?? null;
}

export async function dueOrgs(tx: Tx, now: Date, limit = 500): Promise<string[]> {
  const rows = await tx.selectFrom('billing_directory').select('org_id').where('next_due_at', '<=', now).orderBy('next_due_at').limit(limit).execute();
  return rows.map((r) => r.org_id);
}

/** Records a processed event id; false when it was already processed (a redelivery). */
export async function claimEvent(tx: Tx, eventId: string, type: string, orgId: string | null, now: Date): Promise<boolean> {
  const row = await tx
    .insertInto('billing_webhook_events')
    .values({ event_id: eventId, type, org_id: orgId, received_at: now })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return row !== undefined;
}

export type { PlanNotice };
