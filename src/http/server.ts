// Assembles the HTTPS Fastify server: TLS 1.3, headers, error shape, route declaration checks, then routes.
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import { registerErrorHandling } from './errors.js';
import { registerSecurityHeaders } from './headers.js';
import { enforceRouteDeclarations } from './route-config.js';
import { TLS_OPTIONS, type TlsMaterial } from './tls.js';

export interface ServerOptions {
  tls: TlsMaterial;
  logger: Logger;
  trustProxy: string[];
  bodyLimit: number;
  /** Route plugins, registered in order after the shared hooks. */
  routes: FastifyPluginAsync[];
  /** Observes every registered route (the security suites derive their route lists from it). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    https: { key: opts.tls.key, cert: opts.tls.cert, ...TLS_OPTIONS },
    loggerInstance: opts.logger,
    // X-Forwarded-For is believed only from the configured proxies; otherwise the socket address is used.
    trustProxy: opts.trustProxy.length > 0 ? opts.trustProxy : false,
    bodyLimit: opts.bodyLimit,
    return503OnClosing: true,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    ajv: {
      // Reject unknown fields instead of silently dropping them; coerce query strings to declared types.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  }) as unknown as FastifyInstance;

  enforceRouteDeclarations(app);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  registerErrorHandling(app);
  await registerSecurityHeaders(app);
  for (const routes of opts.routes) await app.register(routes);
  return app;
}
