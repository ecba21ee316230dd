// What every route must declare, checked as routes are registered: a route that lacks any of it stops
// start-up, so nothing is served unvalidated or unclassified.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { isRateLimitSetting } from '../ratelimit/policy.js';
import { isPermission } from '../teams/permissions.js';

/**
 * Who may call a route:
 * - 'public': anyone, no session (health, login, CSRF token, webhooks with their own signature check);
 * - 'session': a session that has passed the password step but maybe not 2FA yet (2FA enrol/verify, logout);
 * - 'user': a fully signed-in user (password + 2FA) with no organisation in the path (/api/me, own sessions);
 * - 'staff': a signed-in Mowt staff member (own login, password + TOTP; src/staff), under /api/staff/ only;
 * - any other string is a permission of the role matrix (src/teams/permissions.ts), e.g. 'members.manage':
 *   the route has an :orgId param and the caller's role in that organisation must grant the permission;
 * - 'api-token': an organisation API token (Authorization: Bearer mowt_…) with the route's `scope`; only for
 *   GET routes under /api/v1/, where sessions are not accepted (src/tokens/bearer-plugin.ts).
 */
export type Access = 'public' | 'session' | 'user' | 'staff' | 'api-token' | (string & { readonly __permission?: never });

export const API_TOKEN_ACCESS = 'api-token';
export const API_V1_PREFIX = '/api/v1/';
export const API_V1_OPENAPI = '/api/v1/openapi.json';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** For 'api-token' routes: the token scope the route needs, e.g. 'metrics:read'. */
    scope?: string;
    /**
     * Why the route has no JSON response schema (e.g. '204 No Content', 'CSV download'). Every other route
     * declares schema.response: the serialiser then sends only the fields it names, so a handler can never
     * leak a column it happened to hold.
     */
    noResponseSchema?: string;
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export class RouteDeclarationError extends Error {
  override name = 'RouteDeclarationError';
}

/** Returns what a route is missing, or [] when it declares everything it must. */
export function missingDeclarations(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>): string[] {
  const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const missing: string[] = [];
  if (route.url.includes(':') || route.url.includes('*')) {
    if (!schema.params) missing.push('schema.params');
  }
  if (!schema.querystring) missing.push('schema.querystring');
  if (methods.some((m) => BODY_METHODS.has(m)) && !schema.body) missing.push('schema.body');
  const config = (route.config ?? {}) as { access?: unknown; scope?: unknown; rateLimit?: unknown; noResponseSchema?: unknown };
  if (!schema.response && !(typeof config.noResponseSchema === 'string' && config.noResponseSchema.length > 0)) {
    missing.push('schema.response (or config.noResponseSchema saying why the answer has none)');
  }
  const isV1 = route.url.startsWith(API_V1_PREFIX);
  if (typeof config.access !== 'string') missing.push('config.access');
  // The OpenAPI document of the read API is public: describing the API reveals nothing about any organisation.
  else if (route.url === API_V1_OPENAPI && config.access === 'public') {
    if (methods.some((m) => m !== 'GET' && m !== 'HEAD')) missing.push('GET as the only method of the OpenAPI document');
  } else if (config.access === API_TOKEN_ACCESS || isV1) {
    // The public read API: bearer tokens only, read-only, and only under /api/v1/ (and nothing else there).
    if (config.access !== API_TOKEN_ACCESS) missing.push(`config.access 'api-token' (every /api/v1/ route is token-only)`);
    if (!isV1) missing.push('a path under /api/v1/ for an api-token route');
    if (methods.some((m) => m !== 'GET' && m !== 'HEAD')) missing.push('GET as the only method of an api-token route (tokens are read-only)');
    if (typeof config.scope !== 'string' || !/^[a-z]+:read$/.test(config.scope)) missing.push('config.scope naming a read scope (e.g. metrics:read)');
  }
  // Mowt staff routes (src/staff): the staff session cookie, never a customer session.
  else if (config.access === 'staff') {
    if (!route.url.startsWith('/api/staff/')) missing.push('a path under /api/staff/ for a staff route');
  }
  // A permission route is checked against the caller's role in the :orgId of its path (src/teams/permission-hook.ts).
  else if (!['public', 'session', 'user'].includes(config.access)) {
    if (!isPermission(config.access)) missing.push(`config.access naming a permission of the role matrix (got "${config.access}")`);
    else if (!/(^|\/):orgId(\/|$)/.test(route.url)) missing.push('an :orgId path parameter for its permission check');
  }
  // Every route is rate-limited (src/ratelimit/policy.ts): a class such as 'read', or explicit numbers.
  if (config.rateLimit === undefined) missing.push('config.rateLimit');
  else if (!isRateLimitSetting(config.rateLimit)) missing.push('config.rateLimit naming a rate-limit class or explicit limits');
  return missing;
}

export function enforceRouteDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const missing = missingDeclarations(route);
    if (missing.length > 0) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new RouteDeclarationError(`route ${methods} ${route.url} must declare ${missing.join(', ')}`);
    }
  });
}
