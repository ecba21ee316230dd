// /api/orgs/:orgId/stripe/* and the OAuth callback. Thin: validate (TypeBox), call one operation.
// The permission hook (src/teams) has already checked the caller's role for every :orgId route.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requestContext } from '../audit/index.js';
import { HttpProblem } from '../http/problem.js';
import { orgOf } from '../teams/permission-hook.js';
import type { Actor } from './audit-context.js';
import { completeOAuth } from './complete-oauth.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import { disconnect } from './disconnect.js';
import { listConnectionViews } from './list-connections.js';
import { replaceRestrictedKey } from './replace-restricted-key.js';
import { requestSyncNow } from './request-sync.js';
import { setWebhookSecret } from './set-webhook-secret.js';
import { OAUTH_CALLBACK_PATH, startOAuth } from './start-oauth.js';
import type { StripeDeps } from './stripe-deps.js';
import {
  ConnectedSchema,
  ConnectionListSchema,
  DisconnectedSchema,
  KeyReplacedSchema,
  OAuthStartSchema,
  SyncQueuedSchema,
  WebhookSecretSetSchema,
} from './stripe-schemas.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ orgId: Uuid });
const ConnectionParams = Type.Object({ orgId: Uuid, connectionId: Uuid });

function actorOf(request: FastifyRequest): Actor & { userId: string; sessionId: string } {
  const auth = request.auth;
  if (!auth || auth.stage !== 'full') throw new HttpProblem(401, 'sign in first');
  return { userId: auth.userId, sessionId: auth.sessionId, ...requestContext(request) };
}

export function stripeRoutes(deps: StripeDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    // Sync progress is for the whole team to see; changing connections is the Admins'.
    app.get('/api/orgs/:orgId/stripe/connections', { schema: { params: OrgParams, querystring: NoQuery, response: { 200: ConnectionListSchema } }, config: { access: 'org.read', rateLimit: 'read' } },
      async (request) => ({ connections: await listConnectionViews(deps, orgOf(request).id) }));

    app.post('/api/orgs/:orgId/stripe/connections', {
      schema: { params: OrgParams, querystring: NoQuery, body: Type.Object({ restrictedKey: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false }), response: { 201: ConnectedSchema } },
      config: { access: 'stripe.manage', rateLimit: 'write' },
    }, async (request, reply) => {
      const out = await connectRestrictedKey(deps, { orgId: orgOf(request).id, restrictedKey: request.body.restrictedKey, ...actorOf(request) });
      return reply.code(201).send(out);
    });

    app.delete('/api/orgs/:orgId/stripe/connections/:connectionId', {
      schema: { params: ConnectionParams, querystring: NoQuery, response: { 200: DisconnectedSchema } }, config: { access: 'stripe.manage', rateLimit: 'write' },
    }, async (request) => disconnect(deps, { orgId: orgOf(request).id, connectionId: request.params.connectionId, ...actorOf(request) }));

    app.put('/api/orgs/:orgId/stripe/connections/:connectionId/webhook-secret', {
      schema: { params: ConnectionParams, querystring: NoQuery, body: Type.Object({ secret: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false }), response: { 200: WebhookSecretSetSchema } },
      config: { access: 'stripe.manage', rateLimit: 'write' },
    }, async (request) => setWebhookSecret(deps, { orgId: orgOf(request).id, connectionId: request.params.connectionId, secret: request.body.secret, ...actorOf(request) }));

    app.put('/api/orgs/:orgId/stripe/connections/:connectionId/key', {
      schema: { params: ConnectionParams, querystring: NoQuery, body: Type.Object({ restrictedKey: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false }), response: { 200: KeyReplacedSchema } },
      config: { access: 'stripe.manage', rateLimit: 'write' },
    }, async (request) => replaceRestrictedKey(deps, { orgId: orgOf(request).id, connectionId: request.params.connectionId, restrictedKey: request.body.restrictedKey, ...actorOf(request) }));

    app.post('/api/orgs/:orgId/stripe/connections/:connectionId/sync', {
      schema: { params: ConnectionParams, querystring: NoQuery, body: Type.Object({}, { additionalProperties: false }), response: { 202: SyncQueuedSchema } },
      config: { access: 'stripe.manage', rateLimit: 'write' },
    }, async (request, reply) => reply.code(202).send(await requestSyncNow(deps, orgOf(request).id, request.params.connectionId)));

    app.get('/api/orgs/:orgId/stripe/oauth/start', { schema: { params: OrgParams, querystring: NoQuery, response: { 200: OAuthStartSchema } }, config: { access: 'stripe.manage', rateLimit: 'write' } },
      async (request) => startOAuth(deps, { orgId: orgOf(request).id, ...actorOf(request) }));

    // Public by declaration (Stripe redirects the browser here), but it only completes for the very
    // session that started the flow: completeOAuth compares the state's session with the caller's.
    app.get(OAUTH_CALLBACK_PATH, {
      schema: {
        querystring: Type.Object({
          code: Type.Optional(Type.String({ maxLength: 500 })),
          state: Type.Optional(Type.String({ maxLength: 200 })),
          scope: Type.Optional(Type.String({ maxLength: 200 })),
          error: Type.Optional(Type.String({ maxLength: 200 })),
          error_description: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
      config: { access: 'public', rateLimit: 'auth', noResponseSchema: '303 redirect' },
    }, async (request, reply) => {
      const { code, state, error } = request.query;
      if (error) throw new HttpProblem(400, 'Stripe access was not granted.');
      if (!code || !state) throw new HttpProblem(400, 'code and state are required');
      const auth = request.auth;
      if (!auth || auth.stage !== 'full') throw new HttpProblem(401, 'sign in first, then start connecting Stripe again');
      const { orgId, connectionId } = await completeOAuth(deps, { code, state, userId: auth.userId, sessionId: auth.sessionId, ...requestContext(request) });
      return reply.redirect(`/orgs/${orgId}/settings/stripe?connected=${connectionId}`, 303);
    });
  };
}
