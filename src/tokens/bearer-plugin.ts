// Bearer authentication for the public read API (fastify-plugin: app-wide), registered before the session
// plugin. Routes with config.access 'api-token' (GET under /api/v1/ only — the route check enforces it) need
// `Authorization: Bearer mowt_…` with the route's scope; session cookies are not accepted there (the session
// plugin does not even load them), and a bearer token sent to any other route is refused, so a leaked token
// can never act through the session API. Bearer GETs need no CSRF token: no browser sends them implicitly.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../http/problem.js';
import { API_TOKEN_ACCESS } from '../http/route-config.js';
import { authenticateApiToken, TokenRefused, type ApiTokenAuth } from './authenticate-token.js';
import type { TokenDeps } from './manage-tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API token of an 'api-token' route's request; null elsewhere. */
    apiToken: ApiTokenAuth | null;
  }
}

export const WRONG_ROUTE_FOR_TOKEN = 'API tokens are accepted only by GET /api/v1/ routes';

/** The token of an 'api-token' route's handler (the plugin guarantees it). */
export function tokenOf(request: FastifyRequest): ApiTokenAuth {
  if (!request.apiToken) throw new HttpProblem(401, 'an API token is required');
  return request.apiToken;
}

function bearer(request: FastifyRequest): string | null | undefined {
  const h = request.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m?.[1] ?? null;
}

export interface BearerOptions {
  /** Told of every authenticated use (the anomaly rules keep per-token baselines). */
  onUse?: (token: ApiTokenAuth, request: FastifyRequest) => void;
}

async function registerBearer(app: FastifyInstance, deps: TokenDeps, opts: BearerOptions): Promise<void> {
  app.decorateRequest('apiToken', null);
  app.addHook('onRequest', async (request, reply) => {
    request.apiToken = null;
    const config = request.routeOptions.config;
    const presented = bearer(request);
    if (config?.access !== API_TOKEN_ACCESS) {
      // Any bearer credential outside the token API is refused outright rather than silently ignored.
      if (presented) throw new HttpProblem(401, WRONG_ROUTE_FOR_TOKEN, { code: 'token_not_accepted' });
      return;
    }
    reply.header('cache-control', 'no-store');
    const challenge = (error?: string) => reply.header('www-authenticate', `Bearer realm="mowt-api"${error ? `, error="${error}"` : ''}`);
    if (!presented) {
      challenge(presented === null ? 'invalid_request' : undefined);
      throw new HttpProblem(401, 'send an API token: Authorization: Bearer mowt_…', { code: 'token_required' });
    }
    const ua = request.headers['user-agent'];
    try {
      request.apiToken = await authenticateApiToken(deps, presented, { scope: config.scope ?? '', ip: request.ip, userAgent: typeof ua === 'string' ? ua : null });
    } catch (err) {
      if (!(err instanceof TokenRefused)) throw err;
      challenge(err.status === 403 ? 'insufficient_scope' : 'invalid_token');
      throw new HttpProblem(err.status, err.message, { code: err.status === 403 ? 'insufficient_scope' : 'invalid_token' });
    }
    opts.onUse?.(request.apiToken, request);
  });
}

export function bearerPlugin(deps: TokenDeps, opts: BearerOptions = {}) {
  return fp(async (app: FastifyInstance) => registerBearer(app, deps, opts), { name: 'mowt-api-tokens', fastify: '5.x' });
}
