// Error tracking with @sentry/node when SENTRY_DSN is set. A client of its own (no global init, no automatic
// instrumentation): only what we capture leaves, and every event and breadcrumb passes the scrubber
// (src/ops/scrub.ts) in beforeSend/beforeBreadcrumb — the last stop before the network. Captured: server
// errors (5xx) of any route, with the route pattern, method and a request id; never bodies, cookies,
// headers beyond a safe few, query strings, addresses or users' emails.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { defaultStackParser, makeNodeTransport, NodeClient, Scope, type Breadcrumb, type ErrorEvent } from '@sentry/node';
import { scrubBreadcrumb, scrubEvent } from './scrub.js';

export interface ErrorTracker {
  capture(err: unknown, context?: { route?: string; method?: string; requestId?: string; status?: number }): void;
  breadcrumb(crumb: Breadcrumb): void;
  flush(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createErrorTracker(opts: { dsn: string; environment: string; release?: string }): ErrorTracker {
  const client = new NodeClient({
    dsn: opts.dsn,
    environment: opts.environment,
    release: opts.release,
    transport: makeNodeTransport,
    stackParser: defaultStackParser,
    integrations: [],
    maxBreadcrumbs: 50,
    beforeSend: (event: ErrorEvent) => scrubEvent(event as unknown as Record<string, unknown>) as unknown as ErrorEvent,
    beforeBreadcrumb: (crumb: Breadcrumb) => scrubBreadcrumb(crumb as Record<string, unknown>) as Breadcrumb,
  });
  client.init();
  const scope = new Scope();
  scope.setClient(client);
  return {
    capture(err, context = {}) {
      const s = scope.clone();
      if (context.route) s.setTag('route', context.route);
      if (context.method) s.setTag('method', context.method);
      if (context.status) s.setTag('status', String(context.status));
      if (context.requestId) s.setTag('request_id', context.requestId);
      s.captureException(err);
    },
    breadcrumb(crumb) {
      scope.addBreadcrumb(scrubBreadcrumb(crumb as Record<string, unknown>) as Breadcrumb, 50);
    },
    flush: async (timeoutMs = 2000) => client.flush(timeoutMs),
    close: async () => {
      await client.close(2000);
    },
  };
}

/** App-wide hook: every error that ends in a 5xx is captured (4xx are the caller's, not bugs). */
export function errorTrackingPlugin(tracker: ErrorTracker) {
  return fp(
    async (app: FastifyInstance) => {
      app.addHook('onError', async (request, _reply, error) => {
        const status = (error as { statusCode?: number; status?: number }).statusCode ?? (error as { status?: number }).status ?? 500;
        if (status < 500) return;
        tracker.capture(error, { route: request.routeOptions.url ?? 'unmatched', method: request.method, requestId: request.id, status });
      });
    },
    { name: 'mowt-error-tracking', fastify: '5.x' },
  );
}
