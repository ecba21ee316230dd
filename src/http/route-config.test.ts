import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { startTestApp } from '../../test/helpers/app.js';
import { missingDeclarations, RouteDeclarationError } from './route-config.js';

const q = Type.Object({});

describe('route declaration check', () => {
  it.each([
    [{ method: 'GET', url: '/x', schema: {}, config: { access: 'public' } }, ['schema.querystring']],
    [{ method: 'GET', url: '/x/:id', schema: { querystring: q }, config: { access: 'public' } }, ['schema.params']],
    [{ method: 'POST', url: '/x', schema: { querystring: q }, config: { access: 'public' } }, ['schema.body']],
    [{ method: 'GET', url: '/x', schema: { querystring: q }, config: {} }, ['config.access']],
    [{ method: 'GET', url: '/x', schema: { querystring: q }, config: { access: 'public' } }, []],
  ])('%j lacks %j', (route, missing) => {
    expect(missingDeclarations(route as never)).toEqual(missing);
  });

  it('stops start-up when a canary route has no schema', async () => {
    const canary = async (app: FastifyInstance) => {
      app.get('/api/canary', { config: { access: 'public' } }, async () => ({ ok: true }));
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
