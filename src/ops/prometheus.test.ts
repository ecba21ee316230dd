// Prometheus metrics on the internal listener of a real app: request counts and latency by route pattern and
// status, queue depth and sync lag gauges; the raw URL (ids, tokens) never becomes a label.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';

describe('Prometheus metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MOWT_METRICS_LISTEN: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('counts requests by route and status on the internal port, with the gauges', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await app.server.inject({ method: 'GET', url: '/api/orgs/3f2504e0-4f89-41d3-9a0c-0305e82c3301/members?token=secret-in-url' });
    const port = app.metricsPort();
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/mowt_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(text).toMatch(/mowt_http_requests_total\{method="GET",route="\/api\/orgs\/:orgId\/members",status="401"\} 1/);
    expect(text).toContain('mowt_http_request_duration_seconds_bucket');
    expect(text).toContain('mowt_stripe_sync_lag_seconds');
    expect(text).toContain('mowt_queue_depth');
    expect(text).not.toContain('3f2504e0');
    expect(text).not.toContain('secret-in-url');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});
