// Builds the OpenAPI 3.1 document of the public read API from the v1 routes' own TypeBox schemas (JSON
// Schema 2020-12, which OpenAPI 3.1 uses as is): what is validated is exactly what is documented, and a route
// cannot be added without appearing here.
import { ProblemSchema } from '../http/problem.js';

export interface V1RouteInfo {
  method: string;
  url: string;
  scope: string;
  summary: string;
  description?: string;
  tags?: string[];
  querystring?: Record<string, unknown>;
  params?: Record<string, unknown>;
  response?: Record<string, unknown>;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; required?: string[] };

/** TypeBox adds symbol keys (Kind, Hint); JSON round-tripping leaves plain JSON Schema. */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

function parametersOf(schema: unknown, where: 'query' | 'path'): Record<string, unknown>[] {
  if (!schema) return [];
  const s = plain(schema);
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
    schema: prop,
  }));
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: readonly V1RouteInfo[], opts: { baseUrl: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...routes].sort((a, b) => a.url.localeCompare(b.url))) {
    const path = openApiPath(r.url);
    const ok = r.response?.['200'] ?? r.response?.[200];
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}${r.url.replace(/^\/api\/v1/, '').replace(/[^A-Za-z0-9]+(.)?/g, (_: string, c?: string) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags ?? [],
      security: [{ bearerToken: [r.scope] }],
      parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.querystring, 'query')],
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: ok ? plain(ok) : {} } } },
        '400': problemResponse('Invalid parameters'),
        '401': problemResponse('Missing, malformed, unknown, revoked or expired token'),
        '403': problemResponse('The token lacks the scope this operation needs'),
        '429': {
          ...problemResponse('Rate limit reached: wait `Retry-After` seconds'),
          headers: {
            'Retry-After': { schema: { type: 'integer' } },
            'RateLimit-Limit': { schema: { type: 'integer' } },
            'RateLimit-Remaining': { schema: { type: 'integer' } },
            'RateLimit-Reset': { schema: { type: 'integer' } },
          },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mowt read API',
      version: opts.version,
      description:
        'Read-only access to an organisation’s revenue metrics with an organisation API token (Settings → API tokens, Admins only). ' +
        'Send `Authorization: Bearer mowt_…`. Tokens are read-only, scoped, expire, and work only on these GET endpoints. ' +
        'Money is in minor units of the organisation’s reporting currency; the figures are the dashboard’s.',
    },
    servers: [{ url: opts.baseUrl }],
    security: [{ bearerToken: [] }],
    paths,
    components: {
      securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'mowt_<prefix>_<secret>', description: 'An organisation API token' } },
      schemas: { Problem: plain(ProblemSchema) },
    },
  };
}
