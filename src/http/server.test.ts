// The HTTPS surface as a client sees it: TLS 1.3 only, the HTTP redirect, headers on every response,
// problem+json errors, body limits, proxy trust and the uptime probes.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { HttpProblem } from './problem.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(app: TestApp, method: string, url: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: app.httpsPort, method, path: url, rejectUnauthorized: false, headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

// Test-only routes exercising the error paths; declared like every real route.
async function probeRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/api/test/echo',
    {
      schema: {
        querystring: Type.Object({}, { additionalProperties: false }),
        body: Type.Object({ name: Type.String({ minLength: 1 }), count: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      },
      // This probe exercises body parsing and validation, not CSRF (covered in src/auth/csrf.test.ts).
      config: { access: 'public', rateLimit: 'read', csrf: false , noResponseSchema: 'a test route' },
    },
    async (req) => req.body,
  );
  app.get('/api/test/boom', { schema: { querystring: Type.Object({}) }, config: { access: 'public', rateLimit: 'read' , noResponseSchema: 'a test route' } }, async () => {
    const err = new Error('relation "secret_table" does not exist at SELECT * FROM users');
    throw err;
  });
  app.get('/api/test/ip', { schema: { querystring: Type.Object({}) }, config: { access: 'public', rateLimit: 'read' , noResponseSchema: 'a test route' } }, async (req) => ({ ip: req.ip }));
  app.get('/api/test/teapot', { schema: { querystring: Type.Object({}) }, config: { access: 'public', rateLimit: 'read' , noResponseSchema: 'a test route' } }, async () => {
    throw new HttpProblem(409, 'That name is taken');
  });
}

describe('HTTPS server', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MOWT_BODY_LIMIT: '2048' }, { routes: [probeRoutes] });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('accepts a TLS 1.3 handshake', async () => {
    const protocol = await new Promise<string | null>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: app.httpsPort, rejectUnauthorized: false }, () => {
        resolve(s.getProtocol());
        s.end();
      });
      s.on('error', reject);
    });
    expect(protocol).toBe('TLSv1.3');
  });

  it.each(['TLSv1.2', 'TLSv1.1'] as const)('refuses a %s handshake', async (version) => {
    const outcome = await new Promise<string>((resolve) => {
      const s = tls.connect(
        { host: '127.0.0.1', port: app.httpsPort, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' },
        () => {
          resolve(`connected with ${s.getProtocol()}`);
          s.end();
        },
      );
      s.on('error', (err) => resolve(`failed: ${err.message}`));
    });
    expect(outcome).toMatch(/^failed: /);
  });

  it('generates the development certificate once, readable only by its owner', () => {
    for (const f of ['localhost.crt', 'localhost.key']) {
      const mode = fs.statSync(path.join(app.dataDir, 'tls', f)).mode & 0o777;
      expect(mode.toString(8)).toBe('600');
    }
  });

  it('answers plain HTTP only with a 308 to the configured https origin, whatever the Host header says', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: app.httpPort, path: '/api/me?x=1', headers: { host: 'evil.example' } }, resolve).on('error', reject);
    });
    res.resume();
    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe(`https://localhost:${app.httpsPort}/api/me?x=1`);
  });

  it.each([
    ['GET', '/healthz', 200],
    ['GET', '/no/such/route', 200], // SPA shell or 503 without a build; headers either way
    ['GET', '/api/no-such-route', 404],
    ['POST', '/api/test/echo', 400],
    ['GET', '/api/test/boom', 500],
  ])('sets every security header on %s %s', async (method, url) => {
    const res = await request(app, method, url, { body: method === 'POST' ? '{}' : undefined, headers: { 'content-type': 'application/json' } });
    const h = res.headers;
    expect(h['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
    const csp = String(h['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('no-referrer');
    expect(h['permissions-policy']).toContain('camera=()');
    expect(h['x-powered-by']).toBeUndefined();
    expect(h.server).toBeUndefined();
  });

  it('answers unknown API routes 404 as problem+json', async () => {
    const res = await request(app, 'GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body)).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('names the bad field on a validation failure', async () => {
    const res = await request(app, 'POST', '/api/test/echo', {
      body: JSON.stringify({ name: 'a', count: -1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.body);
    expect(body.errors[0].field).toBe('count');
    expect(body.detail).toContain('count');
  });

  it('rejects unknown fields instead of silently dropping them', async () => {
    const res = await request(app, 'POST', '/api/test/echo', {
      body: JSON.stringify({ name: 'a', count: 1, isAdmin: true }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors[0]).toEqual({ field: 'isAdmin', message: 'is not allowed' });
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await request(app, 'POST', '/api/test/echo', {
      body: JSON.stringify({ name: 'x'.repeat(4096), count: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await request(app, 'POST', '/api/test/echo', { body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  it('hides internals of unexpected errors', async () => {
    const res = await request(app, 'GET', '/api/test/boom');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toMatch(/secret_table|SELECT|at .*\.ts|stack/i);
  });

  it('passes on the message of a deliberate problem', async () => {
    const res = await request(app, 'GET', '/api/test/teapot');
    expect(res.status).toBe(409);
    expect(JSON.parse(res.body)).toMatchObject({ status: 409, detail: 'That name is taken' });
  });

  it('ignores X-Forwarded-For from a peer that is not a configured proxy', async () => {
    const res = await request(app, 'GET', '/api/test/ip', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(JSON.parse(res.body).ip).toBe('127.0.0.1');
  });

  it('reports liveness and readiness', async () => {
    expect(JSON.parse((await request(app, 'GET', '/healthz')).body)).toEqual({ status: 'ok' });
    const ready = await request(app, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready' });
  });
});

describe('HTTPS server behind a configured proxy', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MOWT_TRUST_PROXY: '127.0.0.1' }, { routes: [probeRoutes] });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('takes the client address from X-Forwarded-For when the peer is the proxy', async () => {
    const res = await request(app, 'GET', '/api/test/ip', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(JSON.parse(res.body).ip).toBe('203.0.113.9');
  });
});

describe('readiness with a schema that is not current', () => {
  it('answers 503 naming the pending migrations', async () => {
    const { openDatabase } = await import('../db/database.js');
    const { buildServer } = await import('./server.js');
    const { healthRoutes } = await import('./health.js');
    const { loadTls } = await import('./tls.js');
    const { createLogger } = await import('./logger.js');
    const os = await import('node:os');
    const db = await openDatabase({ kind: 'pglite' });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-ready-'));
    const server = await buildServer({
      tls: await loadTls({ dataDir }),
      logger: createLogger({ level: 'silent' }),
      trustProxy: [],
      bodyLimit: 1024,
      routes: [healthRoutes(db)],
    });
    try {
      const res = await server.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toMatch(/migration\(s\) pending/);
      expect((await server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await server.close();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
