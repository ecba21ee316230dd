// Every /api/v1 route the server registers appears in /api/v1/openapi.json, and its schemas compile.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { newOrg, startTeamsApp, type TeamsApp } from '../../test/security/support.js';
import { openApiPath } from './openapi.js';

describe('OpenAPI document of /api/v1', () => {
  let t: TestDatabase;
  let app: TeamsApp;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    app = await startTeamsApp(t.db);
  });
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  it('documents every v1 route with its scope, and is public', async () => {
    const res = await app.server.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { security: { bearerToken: string[] }[]; responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };
    expect(doc.openapi).toBe('3.1.0');
    const v1 = app.routes.filter((r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json' && r.method !== 'HEAD');
    expect(v1.length).toBeGreaterThanOrEqual(1);
    const ajv = new Ajv2020({ strict: false });
    for (const r of v1) {
      const op = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.url} is not documented`).toBeDefined();
      expect(op?.security[0]?.bearerToken[0]).toMatch(/^[a-z]+:read$/);
      const schema = op?.responses['200']?.content?.['application/json']?.schema;
      expect(() => ajv.compile(schema ?? {})).not.toThrow();
    }
    // Nothing documented that the server does not serve.
    const served = new Set(v1.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`));
    for (const [p, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) expect(served.has(`${m} ${p}`)).toBe(true);
  });

  it('serves the dashboard’s own numbers to a metrics:read token', async () => {
    const org = await newOrg(app, 'Metrics Ltd');
    const made = await org.admin.browser.post(`/api/orgs/${org.id}/api-tokens`, { name: 'BI', scopes: ['metrics:read'], expiresInDays: 30 });
    expect(made.statusCode).toBe(201);
    const secret = (made.json() as { secret: string }).secret;
    // Every v1 metrics route (status last: the first figures read materialise the snapshot): each answer is
    // serialised through its response schema, which must keep every field.
    for (const path of ['summary', 'kpis', 'mrr?interval=month', 'churn', 'status']) {
      const viaToken = await app.server.inject({ method: 'GET', url: `/api/v1/metrics/${path}`, headers: { authorization: `Bearer ${secret}` } });
      const viaDashboard = await org.admin.browser.request('GET', `/api/orgs/${org.id}/metrics/${path}`);
      expect([path, viaToken.statusCode]).toEqual([path, 200]);
      // asOf is the freshness stamp of whichever call materialised first; the figures must be identical.
      const figures = (b: unknown) => JSON.parse(JSON.stringify(b, (k, v: unknown) => (k === 'asOf' ? undefined : v))) as unknown;
      expect(figures(viaToken.json())).toEqual(figures(viaDashboard.json()));
    }
  });
});
