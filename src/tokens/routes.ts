// Settings → API tokens: list, create (shown once), revoke. Admins only (tokens.manage); creating needs sudo.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { requestContext } from '../audit/index.js';
import { assertSudo, requireAuth } from '../auth/index.js';
import { orgOf } from '../teams/permission-hook.js';
import { createApiToken, listApiTokenViews, revokeApiTokenById, type TokenDeps } from './manage-tokens.js';
import { ALL_SCOPES, API_SCOPES, EXPIRY_DAYS, type ApiScope } from './scopes.js';
import { ApiTokenCreatedSchema, ApiTokenListSchema, type ApiScopeSchema, type ApiTokenList } from './tokens-schemas.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ orgId: Uuid }, { additionalProperties: false });
const TokenParams = Type.Object({ orgId: Uuid, tokenId: Uuid }, { additionalProperties: false });
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    scopes: Type.Array(Type.Union(ALL_SCOPES.map((s) => Type.Literal(s))), { minItems: 1, maxItems: ALL_SCOPES.length, uniqueItems: true }),
    expiresInDays: Type.Union(EXPIRY_DAYS.map((d) => Type.Literal(d))),
  },
  { additionalProperties: false },
);

// Every scope scopes.ts defines is one the answer's schema names (and the list's return type checks the other
// way): a new scope added to one and not the other fails to compile instead of vanishing from the answer.
ALL_SCOPES satisfies readonly Static<typeof ApiScopeSchema>[];

export function tokenRoutes(deps: TokenDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/api/orgs/:orgId/api-tokens',
      { schema: { querystring: NoQuery, params: OrgParams, response: { 200: ApiTokenListSchema } }, config: { access: 'tokens.manage', rateLimit: 'read' } },
      async (request): Promise<ApiTokenList> => ({
        tokens: await listApiTokenViews(deps, orgOf(request).id),
        scopes: API_SCOPES,
        expiryDays: [...EXPIRY_DAYS],
      }),
    );

    app.post(
      '/api/orgs/:orgId/api-tokens',
      { schema: { querystring: NoQuery, params: OrgParams, body: CreateBody, response: { 201: ApiTokenCreatedSchema } }, config: { access: 'tokens.manage', rateLimit: 'write' } },
      async (request, reply) => {
        const auth = requireAuth(request);
        // A token outlives the session that makes it: ask for the password and a code first.
        assertSudo(deps, auth.recentAuthAt);
        const created = await createApiToken(deps, {
          orgId: orgOf(request).id,
          userId: auth.userId,
          name: request.body.name.trim(),
          scopes: request.body.scopes as ApiScope[],
          expiresInDays: request.body.expiresInDays,
          context: requestContext(request),
        });
        return reply.code(201).send(created);
      },
    );

    app.delete(
      '/api/orgs/:orgId/api-tokens/:tokenId',
      { schema: { querystring: NoQuery, params: TokenParams }, config: { access: 'tokens.manage', rateLimit: 'write', noResponseSchema: '204 No Content' } },
      async (request, reply) => {
        await revokeApiTokenById(deps, { orgId: orgOf(request).id, userId: requireAuth(request).userId, tokenId: request.params.tokenId, context: requestContext(request) });
        return reply.code(204).send();
      },
    );
  };
}
