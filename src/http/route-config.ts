// What every route must declare, checked as routes are registered: a route that lacks any of it stops
// start-up, so nothing is served unvalidated or unclassified.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { isPermission } from '../teams/permissions.js';

/**
 * Who may call a route:
 * - 'public': anyone, no session (health, login, CSRF token, webhooks with their own signature check);
 * - 'session': a session that has passed the password step but maybe not 2FA yet (2FA enrol/verify, logout);
 * - 'user': a fully signed-in user (password + 2FA) with no organisation in the path (/api/me, own sessions);
 * - any other string is a permission of the role matrix (src/teams/permissions.ts), e.g. 'members.manage':
 *   the route has an :orgId param and the caller's role in that organisation must grant the permission.
 */
export type Access = 'public' | 'session' | 'user' | (string & { readonly __permission?: never });

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
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
  const config = (route.config ?? {}) as { access?: unknown };
  if (typeof config.access !== 'string') missing.push('config.access');
  // A permission route is checked against the caller's role in the :orgId of its path (src/teams/permission-hook.ts).
  else if (!['public', 'session', 'user'].includes(config.access)) {
    if (!isPermission(config.access)) missing.push(`config.access naming a permission of the role matrix (got "${config.access}")`);
    else if (!/(^|\/):orgId(\/|$)/.test(route.url)) missing.push('an :orgId path parameter for its permission check');
  }
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
