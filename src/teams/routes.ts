// /api/orgs/:orgId (settings), members, invites, invite acceptance and first-run setup. Thin: the schema
// validates, the permission hook has already placed request.org, one operation does the work.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requestContext } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { acceptInvite } from './accept-invite.js';
import { changeRole } from './change-role.js';
import type { Role } from './permissions.js';
import { inviteMember } from './invite-member.js';
import { listInvites } from './list-invites.js';
import { listMembers } from './list-members.js';
import { getOrganisation } from './organisations.js';
import { orgOf } from './permission-hook.js';
import { removeMember } from './remove-member.js';
import { revokeInvite } from './revoke-invite.js';
import { completeSetup } from './setup-link.js';
import type { TeamsDeps } from './teams-deps.js';
import {
  InviteAcceptedSchema,
  InviteListSchema,
  InviteSentSchema,
  MemberListSchema,
  OrgViewSchema,
  RoleChangeSchema,
  RoleSchema,
  SetupDoneSchema,
  type InviteAccepted,
  type InviteSent,
} from './teams-schemas.js';
import { updateSettings } from './update-settings.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ orgId: Uuid }, { additionalProperties: false });
const MemberParams = Type.Object({ orgId: Uuid, userId: Uuid }, { additionalProperties: false });
const InviteParams = Type.Object({ orgId: Uuid, inviteId: Uuid }, { additionalProperties: false });
const Email = Type.String({ minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const InviteBody = Type.Object({ email: Email, role: RoleSchema }, { additionalProperties: false });

/** The signed-in user of a route whose access guarantees one (checked by the auth plugin). */
function userIdOf(request: FastifyRequest): string {
  if (!request.auth) throw new HttpProblem(401, 'sign in first');
  return request.auth.userId;
}

export function teamsRoutes(deps: TeamsDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/api/orgs/:orgId', { schema: { querystring: NoQuery, params: OrgParams, response: { 200: OrgViewSchema } }, config: { access: 'org.read', rateLimit: 'read' } }, async (request) => {
      const org = orgOf(request);
      const settings = await withOrg(deps.db, org.id, (tx) => getOrganisation(tx, org.id));
      if (!settings) throw new HttpProblem(404, 'organisation not found');
      return { ...settings, role: org.role };
    });

    app.patch(
      '/api/orgs/:orgId',
      {
        schema: {
          querystring: NoQuery,
          params: OrgParams,
          body: Type.Object(
            {
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              reportingCurrency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
              timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: OrgViewSchema },
        },
        config: { access: 'settings.manage', rateLimit: 'write' },
      },
      async (request) => {
        const org = orgOf(request);
        const settings = await updateSettings(deps, { orgId: org.id, actorId: userIdOf(request), patch: request.body, context: requestContext(request) });
        return { ...settings, role: org.role };
      },
    );

    app.get('/api/orgs/:orgId/members', { schema: { querystring: NoQuery, params: OrgParams, response: { 200: MemberListSchema } }, config: { access: 'members.read', rateLimit: 'read' } }, async (request) => ({
      members: await listMembers(deps, orgOf(request).id),
    }));

    // Members join through invites only: POST here invites (or re-invites) an address with a role, exactly
    // like POST /invites, so no account anywhere can be attached to an organisation without its owner's consent.
    const invite = async (request: FastifyRequest, body: { email: string; role: Role }): Promise<InviteSent> => {
      const result = await inviteMember(deps, {
        orgId: orgOf(request).id,
        invitedBy: userIdOf(request),
        email: body.email,
        role: body.role,
        context: requestContext(request),
      });
      return { invite: { id: result.id, role: result.role, expiresAt: result.expiresAt.toISOString() }, emailSent: result.emailSent, replaced: result.replaced };
    };
    app.post(
      '/api/orgs/:orgId/members',
      { schema: { querystring: NoQuery, params: OrgParams, body: InviteBody, response: { 201: InviteSentSchema } }, config: { access: 'members.manage', rateLimit: 'write' } },
      async (request, reply) => reply.code(201).send(await invite(request, request.body)),
    );

    app.patch(
      '/api/orgs/:orgId/members/:userId',
      {
        schema: { querystring: NoQuery, params: MemberParams, body: Type.Object({ role: RoleSchema }, { additionalProperties: false }), response: { 200: RoleChangeSchema } },
        config: { access: 'members.manage', rateLimit: 'write' },
      },
      async (request) => {
        const org = orgOf(request);
        const out = await changeRole(deps, {
          orgId: org.id,
          actorId: userIdOf(request),
          userId: request.params.userId,
          role: request.body.role,
          context: requestContext(request),
        });
        return { userId: request.params.userId, role: out.to, changed: out.changed };
      },
    );

    app.delete(
      '/api/orgs/:orgId/members/:userId',
      { schema: { querystring: NoQuery, params: MemberParams }, config: { access: 'members.manage', rateLimit: 'write', noResponseSchema: '204 No Content' } },
      async (request, reply) => {
        await removeMember(deps, { orgId: orgOf(request).id, actorId: userIdOf(request), userId: request.params.userId, context: requestContext(request) });
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/orgs/:orgId/invites',
      { schema: { querystring: NoQuery, params: OrgParams, body: InviteBody, response: { 201: InviteSentSchema } }, config: { access: 'members.manage', rateLimit: 'write' } },
      async (request, reply) => reply.code(201).send(await invite(request, request.body)),
    );

    app.get('/api/orgs/:orgId/invites', { schema: { querystring: NoQuery, params: OrgParams, response: { 200: InviteListSchema } }, config: { access: 'members.read', rateLimit: 'read' } }, async (request) => ({
      invites: await listInvites(deps, orgOf(request).id),
    }));

    app.delete(
      '/api/orgs/:orgId/invites/:inviteId',
      { schema: { querystring: NoQuery, params: InviteParams }, config: { access: 'members.manage', rateLimit: 'write', noResponseSchema: '204 No Content' } },
      async (request, reply) => {
        const orgId = orgOf(request).id;
        await revokeInvite(deps, { orgId, inviteId: request.params.inviteId, actorId: userIdOf(request), context: requestContext(request) });
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/invites/accept',
      {
        schema: {
          querystring: NoQuery,
          body: Type.Object(
            { token: Type.String({ minLength: 1, maxLength: 200 }), name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), password: Type.Optional(Password) },
            { additionalProperties: false },
          ),
          response: { 200: InviteAcceptedSchema },
        },
        config: { access: 'public', rateLimit: 'auth' },
      },
      async (request): Promise<InviteAccepted> => {
        const signedIn = request.auth && request.auth.stage === 'full' ? request.auth.userId : null;
        const out = await acceptInvite(deps, { ...request.body, signedInUserId: signedIn, context: requestContext(request) });
        // A new account signs in next and must enrol two-factor authentication before anything else.
        return { orgId: out.orgId, role: out.role, accountCreated: out.accountCreated, next: signedIn ? 'org' : 'login' };
      },
    );

    app.post(
      '/api/setup',
      {
        schema: {
          querystring: NoQuery,
          body: Type.Object(
            {
              token: Type.String({ minLength: 1, maxLength: 200 }),
              email: Email,
              password: Password,
              orgName: Type.String({ minLength: 1, maxLength: 200 }),
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: SetupDoneSchema },
        },
        config: { access: 'public', rateLimit: 'auth' },
      },
      async (request, reply) => {
        const out = await completeSetup(deps, { ...request.body, context: requestContext(request) });
        return reply.code(201).send({ orgId: out.orgId, next: 'login' });
      },
    );
  };
}
