// What the plan allows, enforced on every permission route after the role check (preValidation, after
// src/teams/permission-hook.ts): a read-only plan (trial ended, grace period over, cancelled) refuses
// changes, a locked one (access ended) refuses everything but billing, export and deletion, and plan
// limits (members, Stripe connections) answer with an upgrade prompt. Organisations that are not billed
// self-serve (created by an operator) have no plan row and are never gated.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { findPlanRow, toSnapshot } from './billing-repo.js';
import { countUsage, limitsOf } from './billing-service.js';
import { planAccess } from './plan-state.js';
import { findPlan, type PlanCatalog } from './plans.js';

/** Always open, whatever the plan: paying, leaving with your data, and deleting it. */
const ALWAYS = new Set(['billing.manage', 'data.export', 'org.delete']);
const READS = new Set(['GET', 'HEAD']);

/** Routes that add a member or a Stripe connection, keyed "METHOD url" as registered. */
export const LIMITED_ROUTES: Record<string, 'members' | 'stripeConnections'> = {
  'POST /api/orgs/:orgId/invites': 'members',
  'POST /api/orgs/:orgId/members': 'members',
  'POST /api/orgs/:orgId/stripe/connections': 'stripeConnections',
  'GET /api/orgs/:orgId/stripe/oauth/start': 'stripeConnections',
};

const paymentRequired = (detail: string, code: string) => new HttpProblem(402, detail, { code, title: 'Payment Required' });

export async function checkPlan(deps: { db: Db; clock: Clock; catalog: PlanCatalog }, request: Pick<FastifyRequest, 'method'> & { url: string; orgId: string; permission: string }): Promise<void> {
  const now = deps.clock();
  const limited = LIMITED_ROUTES[`${request.method} ${request.url}`];
  const found = await withOrg(deps.db, request.orgId, async (tx) => {
    const row = await findPlanRow(tx, request.orgId);
    if (!row) return null;
    return { plan: toSnapshot(row), usage: limited ? await countUsage(tx, request.orgId, now) : null };
  });
  if (!found) return;
  const access = planAccess(found.plan, now);
  if (ALWAYS.has(request.permission)) return;
  if (access === 'locked' && request.permission !== 'org.read') {
    throw paymentRequired('this organisation’s subscription has ended: subscribe again from Settings → Billing, or export your data', 'plan_locked');
  }
  // Recording a page view is part of reading; everything else that is not a read is a change.
  if (access !== 'full' && !READS.has(request.method) && request.permission !== 'dashboards.read') {
    throw paymentRequired('this organisation is read-only until its subscription is active: see Settings → Billing', 'plan_read_only');
  }
  if (limited && found.usage) {
    const limits = limitsOf(deps.catalog, found.plan);
    const planName = findPlan(deps.catalog, found.plan.planId)?.name ?? 'trial';
    if (limits && found.usage[limited] >= limits[limited]) {
      const what = limited === 'members' ? `${limits.members} members (pending invites included)` : `${limits.stripeConnections} Stripe connection${limits.stripeConnections === 1 ? '' : 's'}`;
      throw paymentRequired(`your ${planName} plan includes ${what}: upgrade in Settings → Billing`, 'plan_limit');
    }
  }
}

export function planGate(deps: { db: Db; clock: Clock; catalog: PlanCatalog }) {
  return fp(
    async (app: FastifyInstance) => {
      app.addHook('preValidation', async (request) => {
        if (!request.org) return;
        const permission = request.routeOptions.config?.access;
        if (typeof permission !== 'string') return;
        await checkPlan(deps, { method: request.method, url: request.routeOptions.url ?? '', orgId: request.org.id, permission });
      });
    },
    { name: 'mowt-plan-gate', fastify: '5.x', dependencies: ['mowt-permissions'] },
  );
}
