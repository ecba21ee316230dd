// Prometheus metrics on an internal listener (MOWT_METRICS_LISTEN, off by default; bind it to a private
// address — it is plain HTTP and unauthenticated, like every Prometheus target). Counted per request: totals
// and latency by method, route pattern (never the raw URL: ids and tokens stay out) and status. Gauges read
// on scrape: job queue depth and Stripe sync lag (cached 15 s so scrapes stay cheap). /healthz and /readyz
// are untouched: they stay a constant answer and one database ping.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { queueDepths, stripeSyncLag, type SyncLag } from './ops-gauges.js';

export interface Metrics {
  registry: Registry;
  /** App-wide request counting (fastify-plugin). */
  plugin: (app: FastifyInstance) => Promise<void>;
}

export function createMetrics(deps: { db: Db; clock: Clock; onGaugeError?: (err: unknown) => void }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mowt_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'mowt_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'mowt_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  let cached: { at: number; depths: Map<string, number>; lag: SyncLag } | null = null;
  const gauges = async () => {
    const now = deps.clock();
    if (!cached || now.getTime() - cached.at > 15_000) {
      cached = { at: now.getTime(), depths: await queueDepths(deps.db), lag: await stripeSyncLag(deps.db, now) };
    }
    return cached;
  };
  const safely = async (fn: (g: NonNullable<typeof cached>) => void) => {
    try {
      fn(await gauges());
    } catch (err) {
      deps.onGaugeError?.(err);
    }
  };
  new Gauge({
    name: 'mowt_queue_depth',
    help: 'Jobs waiting to run, per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      await safely((g) => {
        this.reset();
        for (const [queue, n] of g.depths) this.set({ queue }, n);
      });
    },
  });
  new Gauge({
    name: 'mowt_stripe_sync_lag_seconds',
    help: 'Largest time since an active Stripe connection last synced successfully',
    registers: [registry],
    async collect() {
      await safely((g) => this.set(g.lag.maxLagSeconds));
    },
  });
  new Gauge({
    name: 'mowt_stripe_connections',
    help: 'Active Stripe connections, and those never synced',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      await safely((g) => {
        this.set({ state: 'active' }, g.lag.connections);
        this.set({ state: 'never_synced' }, g.lag.neverSynced);
      });
    },
  });

  const plugin = fp(
    async (app: FastifyInstance): Promise<void> => {
      app.addHook('onResponse', async (request, reply) => {
        const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
        requests.inc(labels);
        latency.observe(labels, reply.elapsedTime / 1000);
      });
    },
    { name: 'mowt-prometheus', fastify: '5.x' },
  );
  return { registry, plugin };
}

/** The internal listener: GET /metrics only. */
export async function startMetricsServer(registry: Registry, listen: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
