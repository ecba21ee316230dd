// Mowt's own subscription billing: the trial at sign-up, the billing summary Admins see, starting hosted
// Checkout / Customer Portal sessions, applying signed billing webhooks, and the time-driven steps (trial
// end, grace end, access end, erasure). Every state change is audited on the organisation's chain and
// mailed to its Admins. Card data never reaches Mowt: both flows redirect to Stripe's hosted pages.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { userEmail } from '../auth/users.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { Mailer } from '../mail/mailer.js';
import type { BillingClient } from './billing-client.js';
import type { BillingSummary } from './billing-schemas.js';
import { billingNoticeEmail } from './billing-emails.js';
import { claimEvent, dueOrgs, findPlanRow, insertPlan, lockPlanRow, orgOfCustomer, savePlan, toSnapshot } from './billing-repo.js';
import type { BillingInterval } from './billing.table.js';
import { parseBillingEvent } from './parse-billing-event.js';
import { advanceInTime, applyBillingEvent, newTrial, planAccess, trialDaysLeft, TRIAL_REMINDER_DAYS, type PlanNotice, type PlanSnapshot } from './plan-state.js';
import { findPlan, isSelfServe, planForMrr, type Plan, type PlanCatalog } from './plans.js';

export interface BillingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  config: Config;
  crypto: FieldCrypto;
  mailer: Mailer;
  catalog: PlanCatalog;
  /** Null when MOWT_BILLING_STRIPE_SECRET_KEY is not configured: plans are shown, checkout is unavailable. */
  client: BillingClient | null;
  /** Tracked MRR in pence of the organisation (for the band check); null when unknown. */
  trackedMrr(orgId: string): Promise<number | null>;
  /** Erases an organisation when its retention ends (the GDPR slice's deletion); absent → pending_erasure is reported. */
  eraseOrganisation?: (orgId: string) => Promise<void>;
}

export interface Usage {
  members: number;
  stripeConnections: number;
}

/** What an Admin's billing page shows: declared in billing-schemas.ts (the route's response schema). */
export type { BillingSummary };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function countUsage(tx: Tx, orgId: string, now: Date): Promise<Usage> {
  const members = await tx.selectFrom('memberships').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  const invites = await tx
    .selectFrom('invites')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  const connections = await tx.selectFrom('stripe_connections').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return { members: Number(members.n) + Number(invites.n), stripeConnections: Number(connections.n) };
}

/** The limits that apply now: the paid plan's, the trial plan's while trialing, null when not managed. */
export function limitsOf(catalog: PlanCatalog, plan: PlanSnapshot | null): Plan['limits'] | null {
  if (!plan) return null;
  const current = findPlan(catalog, plan.planId) ?? findPlan(catalog, catalog.trialPlan);
  return current?.limits ?? null;
}

export function createBillingService(deps: BillingDeps) {
  const policy = { graceDays: deps.catalog.graceDays, retentionDays: deps.catalog.retentionDays };
  const billingUrl = (orgId: string) => `${deps.config.baseUrl}/orgs/${orgId}/settings/billing`;

  async function adminEmails(tx: Tx, orgId: string): Promise<string[]> {
    const admins = await tx.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).where('role', '=', 'admin').execute();
    const out: string[] = [];
    for (const a of admins) out.push(await userEmail(tx, deps.crypto, a.user_id));
    return out;
  }

  async function mailNotices(orgId: string, notices: PlanNotice[], plan: PlanSnapshot): Promise<void> {
    if (notices.length === 0) return;
    const { emails, orgName } = await withOrg(deps.db, orgId, async (tx) => {
      const org = await tx.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirst();
      return { emails: await adminEmails(tx, orgId), orgName: org?.name ?? 'your organisation' };
    });
    for (const notice of notices) {
      for (const to of emails) {
        try {
          await deps.mailer.send(billingNoticeEmail(to, notice, { orgName, plan, billingUrl: billingUrl(orgId) }));
        } catch (err) {
          // A mail outage must not undo the state change; the Admins still see it in the app.
          deps.logger.error({ err, orgId, notice }, 'billing notice could not be mailed');
        }
      }
    }
  }

  async function audit(tx: Tx, orgId: string, actor: AuditActor, action: string, before: PlanSnapshot | null, after: PlanSnapshot, extra: Record<string, string | number | boolean | null> = {}, ctx?: { ip?: string; userAgent?: string | null }) {
    await appendAudit(tx, {
      orgId,
      actor,
      action,
      target: { type: 'billing', id: orgId },
      ip: ctx?.ip,
      userAgent: ctx?.userAgent,
      metadata: { from: before?.state ?? null, to: after.state, plan: after.planId, interval: after.interval, ...extra },
      at: deps.clock(),
    });
  }

  return {
    catalog: deps.catalog,

    /** Inside the sign-up transaction: the organisation starts a trial. */
    async startTrial(tx: Tx, orgId: string): Promise<PlanSnapshot> {
      const now = deps.clock();
      const plan = newTrial(now, deps.catalog.trialDays);
      await insertPlan(tx, orgId, plan, now);
      await audit(tx, orgId, { type: 'system' }, 'billing.trial_started', null, plan, { trialDays: deps.catalog.trialDays });
      return plan;
    },

    /** The plan of an organisation (null: not managed by self-serve billing, e.g. created by an operator). */
    async planOf(orgId: string): Promise<PlanSnapshot | null> {
      const row = await withOrg(deps.db, orgId, (tx) => findPlanRow(tx, orgId));
      return row ? toSnapshot(row) : null;
    },

    async summary(orgId: string): Promise<BillingSummary> {
      const now = deps.clock();
      const { row, usage } = await withOrg(deps.db, orgId, async (tx) => ({ row: await findPlanRow(tx, orgId), usage: await countUsage(tx, orgId, now) }));
      const plan = row ? advanceInTime(toSnapshot(row), now, policy).next : null;
      const mrr = await deps.trackedMrr(orgId);
      const recommended = mrr === null ? null : planForMrr(deps.catalog, mrr);
      const current = plan ? findPlan(deps.catalog, plan.planId) : null;
      const overBand = current !== null && mrr !== null && current.maxMrrPence !== null && mrr > current.maxMrrPence;
      return {
        managed: plan !== null,
        state: plan?.state ?? null,
        access: plan ? planAccess(plan, now) : 'full',
        plan: current ? { id: current.id, name: current.name } : null,
        interval: plan?.interval ?? null,
        trialEndsAt: plan?.state === 'trialing' || plan?.state === 'trial_expired' ? iso(plan.trialEndsAt) : null,
        trialDaysLeft: plan ? trialDaysLeft(plan, now) : null,
        currentPeriodEnd: iso(plan?.currentPeriodEnd ?? null),
        graceEndsAt: iso(plan?.state === 'past_due' ? plan.graceEndsAt : null),
        accessEndsAt: iso(plan?.accessEndsAt ?? null),
        eraseAfter: iso(plan?.eraseAfter ?? null),
        limits: limitsOf(deps.catalog, plan),
        usage,
        trackedMrrPence: mrr,
        recommendedPlan: recommended?.id ?? null,
        upgradeRequired: overBand,
        checkoutAvailable: deps.client !== null,
        portalAvailable: deps.client !== null && plan?.stripeCustomerId != null,
        currency: 'gbp',
        plans: deps.catalog.plans.map((p) => ({ id: p.id, name: p.name, maxMrrPence: p.maxMrrPence, monthlyPence: p.monthlyPence, yearlyPence: p.yearlyPence, limits: p.limits })),
      };
    },

    async startCheckout(orgId: string, userId: string, input: { planId: string; interval: BillingInterval }, ctx: { ip: string; userAgent: string | null }): Promise<{ url: string }> {
      if (!deps.client) throw new HttpProblem(503, 'billing is not configured on this deployment', { code: 'billing_unavailable' });
      const plan = findPlan(deps.catalog, input.planId);
      if (!plan) throw new HttpProblem(422, 'no such plan');
      if (!isSelfServe(plan, input.interval)) throw new HttpProblem(422, `the ${plan.name} plan is arranged with our team, not self-serve`, { code: 'plan_custom' });
      const mrr = await deps.trackedMrr(orgId);
      if (mrr !== null && plan.maxMrrPence !== null && mrr > plan.maxMrrPence) {
        throw new HttpProblem(422, `your tracked MRR is above the ${plan.name} band; choose ${planForMrr(deps.catalog, mrr).name}`, { code: 'plan_band_exceeded' });
      }
      const { current, email } = await withOrg(deps.db, orgId, async (tx) => ({ current: await findPlanRow(tx, orgId), email: await userEmail(tx, deps.crypto, userId) }));
      if (!current) throw new HttpProblem(409, 'this organisation is not billed self-serve; contact support', { code: 'billing_unmanaged' });
      const snapshot = toSnapshot(current);
      if (snapshot.stripeSubscriptionId && (snapshot.state === 'active' || snapshot.state === 'past_due')) {
        throw new HttpProblem(409, 'already subscribed: change plan or payment method in the billing portal', { code: 'already_subscribed' });
      }
      const back = billingUrl(orgId);
      const session = await deps.client.createCheckoutSession({
        orgId, plan, interval: input.interval, currency: 'gbp', customerId: snapshot.stripeCustomerId, customerEmail: snapshot.stripeCustomerId ? null : email,
        successUrl: `${back}?checkout=success`, cancelUrl: `${back}?checkout=cancelled`, idempotencyKey: `checkout-${orgId}-${crypto.randomUUID()}`,
      });
      await withOrg(deps.db, orgId, (tx) =>
        appendAudit(tx, { orgId, actor: { type: 'user', id: userId }, action: 'billing.checkout_started', target: { type: 'billing', id: orgId }, ip: ctx.ip, userAgent: ctx.userAgent, metadata: { plan: plan.id, interval: input.interval, session: session.id }, at: deps.clock() }),
      );
      return { url: session.url };
    },

    async openPortal(orgId: string, userId: string, ctx: { ip: string; userAgent: string | null }): Promise<{ url: string }> {
      if (!deps.client) throw new HttpProblem(503, 'billing is not configured on this deployment', { code: 'billing_unavailable' });
      const row = await withOrg(deps.db, orgId, (tx) => findPlanRow(tx, orgId));
      if (!row?.stripe_customer_id) throw new HttpProblem(409, 'subscribe first: there is no billing account to manage yet', { code: 'no_billing_customer' });
      const session = await deps.client.createPortalSession(row.stripe_customer_id, billingUrl(orgId));
      await withOrg(deps.db, orgId, (tx) =>
        appendAudit(tx, { orgId, actor: { type: 'user', id: userId }, action: 'billing.portal_opened', target: { type: 'billing', id: orgId }, ip: ctx.ip, userAgent: ctx.userAgent, metadata: { session: session.id }, at: deps.clock() }),
      );
      return { url: session.url };
    },

    /** A signed billing webhook: 400 on a bad signature; redeliveries and unrelated events are acknowledged. */
    async handleWebhook(rawBody: Buffer, signature: string | undefined): Promise<{ received: true; applied: boolean }> {
      if (!deps.client) throw new HttpProblem(404, 'billing is not configured');
      if (!signature) throw new HttpProblem(400, 'missing Stripe-Signature');
      let event: Stripe.Event;
      try {
        event = deps.client.verifyWebhook(rawBody, signature);
      } catch {
        throw new HttpProblem(400, 'invalid webhook signature');
      }
      const parsed = parseBillingEvent(event, deps.catalog);
      if (!parsed) return { received: true, applied: false };
      const now = deps.clock();
      const orgId = parsed.orgId ?? (parsed.customerId ? await withoutOrg(deps.db, (tx) => orgOfCustomer(tx, parsed.customerId as string)) : null);
      if (!orgId) {
        deps.logger.warn({ event: event.id, type: event.type }, 'billing webhook for an unknown customer ignored');
        return { received: true, applied: false };
      }
      const result = await withOrg(deps.db, orgId, async (tx) => {
        if (!(await claimEvent(tx, event.id, event.type, orgId, now))) return null;
        const row = await lockPlanRow(tx, orgId);
        if (!row) return null;
        const before = advanceInTime(toSnapshot(row), now, policy).next;
        const { next, notices } = applyBillingEvent(before, parsed.event, now, policy);
        await savePlan(tx, orgId, next, now);
        await audit(tx, orgId, { type: 'system', id: 'stripe-billing' }, 'billing.webhook', before, next, { event: event.id, type: event.type });
        return { next, notices };
      });
      if (!result) return { received: true, applied: false };
      await mailNotices(orgId, result.notices, result.next);
      return { received: true, applied: true };
    },

    /** The plan job: steps due by time (trial end, reminders, grace end, access end, erasure). */
    async runDue(): Promise<{ checked: number; changed: number; erased: number; pendingErasure: string[] }> {
      const now = deps.clock();
      const ids = await withoutOrg(deps.db, (tx) => dueOrgs(tx, now));
      let changed = 0;
      let erased = 0;
      const pendingErasure: string[] = [];
      for (const orgId of ids) {
        const result = await withOrg(deps.db, orgId, async (tx) => {
          const row = await lockPlanRow(tx, orgId);
          if (!row) return null;
          const before = toSnapshot(row);
          const sent = new Set(row.notices_sent);
          const { next, notices } = advanceInTime(before, now, policy);
          // The trial reminder is not a state change: sent once, TRIAL_REMINDER_DAYS before the end.
          const reminderKey = `trial_ending:${before.trialEndsAt.toISOString()}`;
          if (next.state === 'trialing' && !sent.has(reminderKey) && now.getTime() >= before.trialEndsAt.getTime() - TRIAL_REMINDER_DAYS * 86_400_000) {
            notices.push('trial_ending');
            sent.add(reminderKey);
          }
          if (notices.length === 0 && next.state === before.state) {
            // Nothing due yet (e.g. reminder sent): push the directory to the next real step.
            await savePlan(tx, orgId, next, now, [...sent]);
            if (next.state === 'trialing') await tx.updateTable('billing_directory').set({ next_due_at: next.trialEndsAt }).where('org_id', '=', orgId).execute();
            return null;
          }
          await savePlan(tx, orgId, next, now, [...sent]);
          if (next.state === 'trialing') await tx.updateTable('billing_directory').set({ next_due_at: next.trialEndsAt }).where('org_id', '=', orgId).execute();
          if (next.state !== before.state) await audit(tx, orgId, { type: 'system', id: 'billing-job' }, 'billing.state_changed', before, next);
          return { next, notices };
        });
        if (!result) continue;
        changed++;
        await mailNotices(orgId, result.notices, result.next);
        if (result.next.state === 'pending_erasure') {
          if (deps.eraseOrganisation) {
            await deps.eraseOrganisation(orgId);
            erased++;
          } else {
            pendingErasure.push(orgId);
            deps.logger.warn({ orgId }, 'organisation retention ended: pending erasure (no erasure function is wired; an operator must delete it)');
          }
        }
      }
      return { checked: ids.length, changed, erased, pendingErasure };
    },
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
