// Watches answers for the monitor (fastify-plugin, so it sees every route): server errors, cross-tenant
// refusals and completed sign-ins. Runs at onResponse, after the answer left, so it costs callers nothing.
//
// - A permission route answered 404 while request.org is still null: the permission hook refused a caller
//   who is not a member of :orgId (handlers' own 404s run with request.org set). Counted per address and
//   organisation for the probing and cross-tenant-spike rules.
// - A second factor accepted (TOTP or recovery code): the sign-in is complete, so the device and country
//   are checked against the user's history.
// (API-token uses reach the monitor from the bearer plugin's onUse callback, wired in src/app.ts.)
//
// Country: only from a header a trusted proxy/CDN sets (MOWT_COUNTRY_HEADER, e.g. CloudFront-Viewer-Country),
// and only when the request really came through a proxy listed in MOWT_TRUST_PROXY. Anything else could be
// typed by the client, so without that the country rule stays off.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isPermission } from '../teams/permissions.js';
import type { SecurityMonitor } from './monitor.js';

const SIGN_IN_COMPLETE = new Set(['/api/auth/totp/verify', '/api/auth/recovery']);

export interface HttpMonitorOptions {
  monitor: SecurityMonitor;
  /** Lower-case header name carrying the viewer's country, set by a trusted proxy; undefined: off. */
  countryHeader?: string;
  trustProxy: string[];
}

/** The country the trusted proxy reported, or null when there is none or the request did not come through it. */
export function trustedCountry(request: Pick<FastifyRequest, 'ips' | 'headers'>, opts: Pick<HttpMonitorOptions, 'countryHeader' | 'trustProxy'>): string | null {
  if (!opts.countryHeader || opts.trustProxy.length === 0) return null;
  // request.ips lists the socket peer first; it has more entries only when that peer is a trusted proxy.
  if (!request.ips || request.ips.length < 2) return null;
  const value = request.headers[opts.countryHeader.toLowerCase()];
  return typeof value === 'string' ? value : null;
}

async function register(app: FastifyInstance, opts: HttpMonitorOptions): Promise<void> {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    if (status >= 500) opts.monitor.serverError({ route });
    const access = request.routeOptions.config?.access;
    if (status === 404 && isPermission(access) && request.org === null && (request.auth?.stage === 'full' || request.staff)) {
      const orgId = (request.params as { orgId?: unknown } | undefined)?.orgId;
      if (typeof orgId === 'string') opts.monitor.crossTenantDenied({ ip: request.ip, orgId });
    }
    if (status === 200 && request.method === 'POST' && SIGN_IN_COMPLETE.has(request.routeOptions.url ?? '') && request.auth) {
      const ua = request.headers['user-agent'];
      opts.monitor.signInCompleted({ userId: request.auth.userId, ip: request.ip, userAgent: typeof ua === 'string' ? ua : null, country: trustedCountry(request, opts) });
    }
  });
}

export function httpMonitor(opts: HttpMonitorOptions) {
  return fp(async (app: FastifyInstance) => register(app, opts), { name: 'mowt-security-monitor', fastify: '5.x', dependencies: ['mowt-auth', 'mowt-permissions'] });
}
