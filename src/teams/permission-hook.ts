// Role check for every route whose config.access is a permission of the matrix (src/teams/permissions.ts).
// Runs at preValidation — after the auth plugin's onRequest hooks (session, CSRF, 2FA) and before the body
// is validated — so a caller learns nothing about an organisation they do not belong to, not even whether
// their body would have been valid there.
//
//   :orgId not a uuid, no such organisation, or caller not a member → 404 (indistinguishable)
//   member whose role lacks the permission                           → 403, audited as 'access.denied'
//   otherwise request.org = { id, role } for the handler
//
// The membership is read on every request, inside withOrg (RLS), so a role change or removal takes effect on
// the member's very next request.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { appendAudit } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { findMembership } from './memberships.js';
import { can, isPermission, type Role } from './permissions.js';

export interface OrgContext {
  id: string;
  role: Role;
  /** Set when the caller is a Mowt staff member reading under an approved access grant (src/staff). */
  staff?: { id: string; grantId: string };
}

/**
 * Decides a staff member's request to a permission route (src/staff): returns the organisation context
 * under an approved, unexpired grant, or throws (403/404). Every call is audited in the organisation's log.
 */
export type StaffGate = (request: FastifyRequest, orgId: string, permission: string) => Promise<OrgContext>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The organisation of a permission route's :orgId and the caller's role there; null on other routes. */
    org: OrgContext | null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const NOT_FOUND = 'organisation not found';

/** request.org for handlers of permission routes (where the hook guarantees it). */
export function orgOf(request: FastifyRequest): OrgContext {
  if (!request.org) throw new Error(`route ${request.routeOptions.url} reads request.org but is not a permission route`);
  return request.org;
}

async function registerPermissionHook(app: FastifyInstance, opts: { db: Db; clock: Clock; staffGate?: StaffGate }): Promise<void> {
  app.decorateRequest('org', null);

  app.addHook('preValidation', async (request) => {
    request.org = null;
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public' || access === 'session' || access === 'user' || access === 'api-token' || access === 'staff') return;
    // The route declaration check refuses unknown permissions at start-up; this guards the impossible.
    if (!isPermission(access)) throw new HttpProblem(500, 'route access is misconfigured');
    const auth = request.auth;
    const orgId = (request.params as { orgId?: unknown } | undefined)?.orgId;
    if (!auth && request.staff && opts.staffGate) {
      if (typeof orgId !== 'string' || !UUID.test(orgId)) throw new HttpProblem(404, NOT_FOUND);
      request.org = await opts.staffGate(request, orgId, access);
      return;
    }
    if (!auth || auth.stage !== 'full') throw new HttpProblem(401, 'sign in first');
    if (typeof orgId !== 'string' || !UUID.test(orgId)) throw new HttpProblem(404, NOT_FOUND);
    const membership = await withOrg(opts.db, orgId, (tx) => findMembership(tx, orgId, auth.userId));
    if (!membership) throw new HttpProblem(404, NOT_FOUND);
    if (!can(membership.role, access)) {
      const ua = request.headers['user-agent'];
      await appendAudit(opts.db, {
        orgId,
        actor: { type: 'user', id: auth.userId },
        action: 'access.denied',
        target: { type: 'route', id: `${request.method} ${request.routeOptions.url}` },
        result: 'denied',
        ip: request.ip,
        userAgent: typeof ua === 'string' ? ua : null,
        metadata: { permission: access, role: membership.role },
        at: opts.clock(),
      });
      throw new HttpProblem(403, `your role (${membership.role}) does not allow this (${access})`);
    }
    request.org = { id: orgId, role: membership.role };
  });
}

/** The plugin for the route list of src/app.ts, after the auth plugin (not encapsulated: covers every route). */
export function permissionHook(deps: { db: Db; clock: Clock; staffGate?: StaffGate }) {
  return fp(async (app: FastifyInstance) => registerPermissionHook(app, deps), { name: 'mowt-permissions', fastify: '5.x', dependencies: ['mowt-auth'] });
}
