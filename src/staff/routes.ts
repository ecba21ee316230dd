// Staff routes (/api/staff/*: the staff cookie) and the Admins' consent routes
// (/api/orgs/:orgId/staff-access: permission staff.approve). Thin: validate, call one operation.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requestContext } from '../audit/index.js';
import { appendAudit } from '../audit/index.js';
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { orgOf } from '../teams/permission-hook.js';
import { decideGrant, listOrgGrants, listOwnGrants, requestAccess } from './grants.js';
import { beginStaffSetup, confirmStaffSetup, staffEmail, verifyStaffLogin } from './staff-accounts.js';
import { MAX_GRANT_HOURS, type StaffDeps } from './staff-deps.js';
import { clearStaffCookie, createStaffSession, setStaffCookie } from './staff-sessions.js';
import {
  GrantDecidedSchema,
  GrantRequestedSchema,
  OrgGrantListSchema,
  OwnGrantListSchema,
  StaffMeSchema,
  StaffOkSchema,
  StaffSetupConfirmedSchema,
  StaffSetupSchema,
  type GrantDecided,
} from './staff-schemas.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const NoBody = Type.Object({}, { additionalProperties: false });
const Uuid = Type.String({ format: 'uuid' });
const Token = Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Code = Type.String({ minLength: 6, maxLength: 10 });
const Hours = Type.Integer({ minimum: 1, maximum: MAX_GRANT_HOURS });
const OrgParams = Type.Object({ orgId: Uuid }, { additionalProperties: false });
const GrantParams = Type.Object({ orgId: Uuid, grantId: Uuid }, { additionalProperties: false });

function staffIdOf(request: FastifyRequest): string {
  if (!request.staff) throw new HttpProblem(401, 'staff sign-in required');
  return request.staff.staffId;
}

function adminIdOf(request: FastifyRequest): string {
  // Consent is a customer Admin's act: a staff member can never approve a grant, not even their own.
  if (!request.auth || orgOf(request).staff) throw new HttpProblem(403, 'only an Admin of the organisation can decide staff access');
  return request.auth.userId;
}

export function staffRoutes(deps: StaffDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/api/staff/setup',
      { schema: { querystring: NoQuery, body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }), response: { 200: StaffSetupSchema } }, config: { access: 'public', rateLimit: 'auth' } },
      async (request) => beginStaffSetup(deps, request.body),
    );

    app.post(
      '/api/staff/setup/confirm',
      { schema: { querystring: NoQuery, body: Type.Object({ token: Token, code: Code }, { additionalProperties: false }), response: { 200: StaffSetupConfirmedSchema } }, config: { access: 'public', rateLimit: 'auth' } },
      async (request) => ({ ok: true as const, id: (await confirmStaffSetup(deps, request.body)).id }),
    );

    app.post(
      '/api/staff/login',
      {
        schema: { querystring: NoQuery, body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), password: Password, code: Code }, { additionalProperties: false }), response: { 200: StaffOkSchema } },
        config: { access: 'public', rateLimit: 'auth' },
      },
      async (request, reply) => {
        const ctx = requestContext(request);
        const staffId = await verifyStaffLogin(deps, request.body, { ip: request.ip, userAgent: ctx.userAgent ?? null });
        const token = await withoutOrg(deps.db, async (tx) => {
          // Rotation at sign-in: a session the browser already had ends.
          if (request.staff) await tx.deleteFrom('staff_sessions').where('id', '=', request.staff.sessionId).execute();
          return createStaffSession(tx, { staffId, now: deps.clock(), ip: request.ip, userAgent: ctx.userAgent ?? null });
        });
        setStaffCookie(reply, token);
        return { ok: true as const };
      },
    );

    app.post('/api/staff/logout', { schema: { querystring: NoQuery, body: NoBody, response: { 200: StaffOkSchema } }, config: { access: 'staff', rateLimit: 'auth' } }, async (request, reply) => {
      const staff = request.staff;
      if (staff) {
        await withoutOrg(deps.db, (tx) => tx.deleteFrom('staff_sessions').where('id', '=', staff.sessionId).execute());
        await appendAudit(deps.db, { orgId: null, actor: { type: 'staff', id: staff.staffId }, action: 'staff.logout', ...requestContext(request), at: deps.clock() });
      }
      clearStaffCookie(reply);
      return { ok: true as const };
    });

    app.get('/api/staff/me', { schema: { querystring: NoQuery, response: { 200: StaffMeSchema } }, config: { access: 'staff', rateLimit: 'read' } }, async (request) => {
      const id = staffIdOf(request);
      const row = await withoutOrg(deps.db, (tx) => tx.selectFrom('staff_accounts').select(['id', 'name', 'email_encrypted']).where('id', '=', id).executeTakeFirstOrThrow());
      return { id: row.id, name: row.name, email: await staffEmail(deps, row) };
    });

    app.get('/api/staff/access-requests', { schema: { querystring: NoQuery, response: { 200: OwnGrantListSchema } }, config: { access: 'staff', rateLimit: 'read' } }, async (request) => ({
      requests: await listOwnGrants(deps, staffIdOf(request)),
    }));

    app.post(
      '/api/staff/access-requests',
      {
        schema: {
          querystring: NoQuery,
          body: Type.Object({ orgId: Uuid, reason: Type.String({ minLength: 10, maxLength: 2000 }), hours: Hours }, { additionalProperties: false }),
          response: { 201: GrantRequestedSchema },
        },
        config: { access: 'staff', rateLimit: 'write' },
      },
      async (request, reply) => {
        const ctx = requestContext(request);
        const grant = await requestAccess(deps, { staffId: staffIdOf(request), orgId: request.body.orgId, reason: request.body.reason, hours: request.body.hours, ip: request.ip, userAgent: ctx.userAgent ?? null });
        return reply.code(201).send({ request: { id: grant.id, orgId: grant.orgId, state: grant.state, requestedHours: grant.requestedHours } });
      },
    );

    // ── the organisation's side: consent ──────────────────────────────────────────────────────────────
    app.get('/api/orgs/:orgId/staff-access', { schema: { querystring: NoQuery, params: OrgParams, response: { 200: OrgGrantListSchema } }, config: { access: 'staff.approve', rateLimit: 'read' } }, async (request) => ({
      requests: await listOrgGrants(deps, orgOf(request).id),
    }));

    const decide = (kind: 'approve' | 'refuse' | 'revoke') => async (request: FastifyRequest<{ Params: { orgId: string; grantId: string }; Body: { hours?: number } }>): Promise<GrantDecided> => {
      const ctx = requestContext(request);
      const decision = kind === 'approve' ? { kind, hours: request.body.hours ?? 0 } : { kind };
      const grant = await decideGrant(deps, {
        orgId: orgOf(request).id,
        grantId: request.params.grantId,
        adminId: adminIdOf(request),
        decision: decision as { kind: 'approve'; hours: number } | { kind: 'refuse' } | { kind: 'revoke' },
        ip: request.ip,
        userAgent: ctx.userAgent ?? null,
      });
      return { request: grant };
    };

    app.post(
      '/api/orgs/:orgId/staff-access/:grantId/approve',
      { schema: { querystring: NoQuery, params: GrantParams, body: Type.Object({ hours: Hours }, { additionalProperties: false }), response: { 200: GrantDecidedSchema } }, config: { access: 'staff.approve', rateLimit: 'write' } },
      decide('approve'),
    );
    app.post('/api/orgs/:orgId/staff-access/:grantId/refuse', { schema: { querystring: NoQuery, params: GrantParams, body: NoBody, response: { 200: GrantDecidedSchema } }, config: { access: 'staff.approve', rateLimit: 'write' } }, decide('refuse'));
    app.post('/api/orgs/:orgId/staff-access/:grantId/revoke', { schema: { querystring: NoQuery, params: GrantParams, body: NoBody, response: { 200: GrantDecidedSchema } }, config: { access: 'staff.approve', rateLimit: 'write' } }, decide('revoke'));
  };
}
