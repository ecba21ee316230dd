// Error tracking: a real @sentry/node client pointed at a local capture server (the DSN's host), errors
// thrown through the real application carrying emails, tokens, cookies, Stripe keys and bodies. The error
// arrives; none of those values do.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { scrubBreadcrumb, scrubEvent, scrubString } from './scrub.js';

const SECRETS = {
  email: 'ada.lovelace@example.com',
  stripeKey: 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr',
  restricted: 'rk_test_51HxYzAbCdEfGhIjKlMnOpQr',
  webhook: 'whsec_AbCdEfGhIjKlMnOpQrStUvWx',
  apiToken: `mowt_0123456789ab_${'T'.repeat(43)}`,
  session: 'S3ss10nT0k3nS3ss10nT0k3nS3ss10nT0k3nAbCdEf',
  bearer: 'opaque-bearer-credential-42',
  body: 'request-body-marker-9f1c',
  password: 'correct horse battery staple',
};

describe('scrubber (pure)', () => {
  it('removes every kind of secret from text and keeps the rest', () => {
    const out = scrubString(`user ${SECRETS.email} key ${SECRETS.stripeKey} ${SECRETS.webhook} ${SECRETS.apiToken} Bearer ${SECRETS.bearer} __Host-mowt_session=${SECRETS.session} id 3f2504e0-4f89-41d3-9a0c-0305e82c3301`);
    for (const v of [SECRETS.email, SECRETS.stripeKey, SECRETS.webhook, SECRETS.apiToken, SECRETS.bearer, SECRETS.session]) expect(out).not.toContain(v);
    expect(out).toContain('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    expect(out).toContain('user [email]');
  });

  it('drops bodies, cookies, credentials, query strings, users’ addresses and frame variables from events', () => {
    const event = scrubEvent({
      request: { url: `https://x/api/reset?token=${SECRETS.session}`, data: SECRETS.body, cookies: { s: SECRETS.session }, headers: { authorization: `Basic ${SECRETS.bearer}`, cookie: `a=${SECRETS.session}`, 'user-agent': 'ua' } },
      user: { id: 'u1', email: SECRETS.email, ip_address: '203.0.113.9' },
      exception: { values: [{ type: 'Error', value: `boom ${SECRETS.email}`, stacktrace: { frames: [{ function: 'f', vars: { password: SECRETS.password } }] } }] },
      extra: { password: SECRETS.password, note: SECRETS.stripeKey },
      breadcrumbs: [{ message: `login ${SECRETS.email}`, data: { url: `https://x/?k=${SECRETS.webhook}`, method: 'POST', body: SECRETS.body } }],
    });
    const text = JSON.stringify(event);
    for (const v of Object.values(SECRETS)) expect(text).not.toContain(v);
    expect(text).not.toContain('203.0.113.9');
    expect(event.user).toEqual({ id: 'u1' });
    expect(event.request).toEqual({ url: 'https://x/api/reset', headers: { 'user-agent': 'ua' } });
    expect(scrubBreadcrumb({ message: 'ok', data: { method: 'GET', status_code: 500 } })).toEqual({ message: 'ok', data: { method: 'GET', status_code: 500 } });
  });
});

describe('Sentry through the application, to a local capture server', () => {
  let capture: http.Server;
  const received: string[] = [];
  let app: TestApp;

  beforeAll(async () => {
    capture = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        received.push(`${req.url}\n${JSON.stringify(req.headers)}\n${body.toString('utf8')}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', () => resolve()));
    const port = (capture.address() as AddressInfo).port;
    const failing = async (server: FastifyInstance) => {
      server.post(
        '/api/test/explode',
        { schema: { querystring: Type.Object({ token: Type.Optional(Type.String()) }), body: Type.Object({ password: Type.String(), note: Type.String() }) }, config: { access: 'public', rateLimit: 'write', csrf: false , noResponseSchema: 'a test route' } },
        async () => {
          throw new Error(`sync failed for ${SECRETS.email} with ${SECRETS.stripeKey} / ${SECRETS.restricted} / ${SECRETS.webhook} / ${SECRETS.apiToken} cookie __Host-mowt_session=${SECRETS.session} Bearer ${SECRETS.bearer} marker-e7`);
        },
      );
    };
    app = await startTestApp({ SENTRY_DSN: `http://abcdef0123456789@127.0.0.1:${port}/42` }, { routes: [failing] });
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise<void>((resolve) => capture?.close(() => resolve()));
  });

  it('sends the error, and none of the emails, tokens, cookies, Stripe keys or bodies it carried', async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: `/api/test/explode?token=${SECRETS.session}`,
      headers: { authorization: `Basic ${SECRETS.bearer}`, cookie: `__Host-mowt_session=${SECRETS.session}; x=${SECRETS.apiToken}`, 'content-type': 'application/json', 'x-user-email': SECRETS.email },
      payload: { password: SECRETS.password, note: SECRETS.body },
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain(SECRETS.email);
    // Delivery is asynchronous: wait for the envelope.
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(received.length).toBeGreaterThan(0);
    const all = received.join('\n');
    expect(all).toContain('/api/42/envelope/');
    expect(all).toContain('marker-e7');
    expect(all).toContain('/api/test/explode');
    for (const [name, value] of Object.entries(SECRETS)) expect([name, all.includes(value)]).toEqual([name, false]);
  });

  it('does not report client errors (4xx)', async () => {
    const before = received.length;
    const res = await app.server.inject({ method: 'POST', url: '/api/test/explode', headers: { 'content-type': 'application/json' }, payload: { nope: 1 } });
    expect(res.statusCode).toBe(400);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.length).toBe(before);
  });
});
