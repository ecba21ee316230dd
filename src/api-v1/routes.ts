// The public read API under /api/v1: GET only, organisation API tokens only (src/tokens), the organisation
// taken from the token — never from the path, so a token cannot even name another organisation. Each route
// declares its scope, schemas (validated and documented) and an OpenAPI summary; /api/v1/openapi.json is built
// from them.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { getOrganisation } from '../teams/organisations.js';
import { tokenOf } from '../tokens/index.js';
import { buildOpenApiDocument, type V1RouteInfo } from './openapi.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** OpenAPI text of a /api/v1 route. */
    openapi?: { summary: string; description?: string; tags?: string[] };
  }
}

export interface ApiV1Deps {
  db: Db;
  crypto: FieldCrypto;
  clock: Clock;
  baseUrl: () => string;
  /** More v1 route plugins (the metric endpoints), registered inside this context so they are documented. */
  extra?: ((app: FastifyInstance) => Promise<void>)[];
}

export const OPENAPI_PATH = '/api/v1/openapi.json';
const API_VERSION = '1.0.0';
const NoQuery = Type.Object({}, { additionalProperties: false });

export const OrgV1 = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  reportingCurrency: Type.String({ description: 'ISO 4217; every amount is in minor units of it' }),
  timezone: Type.String({ description: 'IANA timezone the calendar days are counted in' }),
});

export function apiV1Routes(deps: ApiV1Deps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const documented: V1RouteInfo[] = [];
    base.addHook('onRoute', (route: RouteOptions) => {
      if (!route.url.startsWith('/api/v1/') || route.url === OPENAPI_PATH) return;
      const schema = (route.schema ?? {}) as Record<string, Record<string, unknown> | undefined>;
      for (const method of [route.method].flat().map(String)) {
        if (method === 'HEAD') continue;
        const doc = route.config?.openapi;
        documented.push({
          method,
          url: route.url,
          scope: route.config?.scope ?? '',
          summary: doc?.summary ?? '',
          description: doc?.description,
          tags: doc?.tags,
          querystring: schema.querystring,
          params: schema.params,
          response: schema.response,
        });
      }
    });
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/api/v1/org',
      {
        schema: { querystring: NoQuery, response: { 200: OrgV1 } },
        config: { access: 'api-token', scope: 'org:read', rateLimit: 'api', openapi: { summary: 'The token’s organisation', tags: ['organisation'] } },
      },
      async (request) => {
        const { orgId } = tokenOf(request);
        const org = await withOrg(deps.db, orgId, (tx) => getOrganisation(tx, orgId));
        if (!org) throw new HttpProblem(404, 'organisation not found');
        return { id: org.id, name: org.name, reportingCurrency: org.reportingCurrency, timezone: org.timezone };
      },
    );

    for (const extra of deps.extra ?? []) await extra(app);

    let document: string | null = null;
    app.get(
      OPENAPI_PATH,
      { schema: { querystring: NoQuery }, config: { access: 'public', rateLimit: 'read', noResponseSchema: 'pre-serialised OpenAPI document' } },
      async (_request, reply) => {
        document ??= JSON.stringify(buildOpenApiDocument(documented, { baseUrl: deps.baseUrl(), version: API_VERSION }), null, 2);
        return reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=300').send(document);
      },
    );
  };
}
