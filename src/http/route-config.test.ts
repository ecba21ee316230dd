import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { startTestApp } from '../../test/helpers/app.js';
import { missingDeclarations, RouteDeclarationError } from './route-config.js';

const q = Type.Object({});
const r = { 200: Type.Object({ ok: Type.Boolean() }) };

describe('route declaration check', () => {
  it.each([
    [{ method: 'GET', url: '/x', schema: { response: r }, config: { access: 'public', rateLimit: 'read' } }, ['schema.querystring']],
    [{ method: 'GET', url: '/x/:id', schema: { querystring: q, response: r }, config: { access: 'public', rateLimit: 'read' } }, ['schema.params']],
    [{ method: 'POST', url: '/x', schema: { querystring: q, response: r }, config: { access: 'public', rateLimit: 'write' } }, ['schema.body']],
    [{ method: 'GET', url: '/x', schema: { querystring: q, response: r }, config: { rateLimit: 'read' } }, ['config.access']],
    [{ method: 'GET', url: '/x', schema: { querystring: q, response: r }, config: { access: 'public' } }, ['config.rateLimit']],
    [{ method: 'GET', url: '/x', schema: { querystring: q, response: r }, config: { access: 'public', rateLimit: 'fast' } }, ['config.rateLimit naming a rate-limit class or explicit limits']],
    [{ method: 'GET', url: '/x', schema: { querystring: q, response: r }, config: { access: 'public', rateLimit: { name: 'x', ip: { points: 5, windowS: 60 } } } }, []],
    [{ method: 'GET', url: '/x', schema: { querystring: q, response: r }, config: { access: 'public', rateLimit: 'read' } }, []],
    [{ method: 'GET', url: '/api/v1/x', schema: { querystring: q, response: r }, config: { access: 'public', rateLimit: 'api' } }, ["config.access 'api-token' (every /api/v1/ route is token-only)", 'config.scope naming a read scope (e.g. metrics:read)']],
    [{ method: 'POST', url: '/api/v1/x', schema: { querystring: q, body: q, response: r }, config: { access: 'api-token', scope: 'metrics:read', rateLimit: 'api' } }, ['GET as the only method of an api-token route (tokens are read-only)']],
    [{ method: 'GET', url: '/api/x', schema: { querystring: q, response: r }, config: { access: 'api-token', scope: 'metrics:read', rateLimit: 'api' } }, ['a path under /api/v1/ for an api-token route']],
    [{ method: 'GET', url: '/api/v1/x', schema: { querystring: q, response: r }, config: { access: 'api-token', scope: 'metrics:read', rateLimit: 'api' } }, []],
    [{ method: 'GET', url: '/x', schema: { querystring: q }, config: { access: 'public', rateLimit: 'read' } }, ['schema.response (or config.noResponseSchema saying why the answer has none)']],
    [{ method: 'GET', url: '/x', schema: { querystring: q }, config: { access: 'public', rateLimit: 'read', noResponseSchema: '' } }, ['schema.response (or config.noResponseSchema saying why the answer has none)']],
    [{ method: 'DELETE', url: '/x', schema: { querystring: q }, config: { access: 'public', rateLimit: 'write', noResponseSchema: '204 No Content' } }, []],
  ])('%j lacks %j', (route, missing) => {
    expect(missingDeclarations(route as never)).toEqual(missing);
  });

  it('stops start-up when a canary route has no rate-limit setting', async () => {
    const canary = async (app: FastifyInstance) => {
      app.get('/api/canary-unlimited', { schema: { querystring: q, response: r }, config: { access: 'public' } }, async () => ({ ok: true }));
    };
    const db = await openDatabase({ kind: 'pglite' });
    try {
      await expect(startTestApp({}, { db, routes: [canary] })).rejects.toThrow('route GET /api/canary-unlimited must declare config.rateLimit');
    } finally {
      await db.close();
    }
  });

  it('stops start-up when a canary route has no schema', async () => {
    const canary = async (app: FastifyInstance) => {
      app.get('/api/canary', { schema: { response: r }, config: { access: 'public', rateLimit: 'read' } }, async () => ({ ok: true }));
    };
    const db = await openDatabase({ kind: 'pglite' });
    try {
      await expect(startTestApp({}, { db, routes: [canary] })).rejects.toThrow(RouteDeclarationError);
      await expect(startTestApp({}, { db, routes: [canary] })).rejects.toThrow(
        'route GET /api/canary must declare schema.querystring',
      );
    } finally {
      await db.close();
    }
  });
});
