import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { enforceRouteDeclarations, missingDeclarations } from '../http/route-config.js';
import { PROJECT_ROOT } from '../paths.js';
import { ALL_PERMISSIONS, can, isPermission, permissionTableMarkdown, ROLE_PERMISSIONS, ROLES } from './permissions.js';

const NoQuery = Type.Object({});
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });

describe('permission matrix', () => {
  it('gives Admin everything, Member the analytics work and Viewer read-only dashboards', () => {
    for (const p of ALL_PERMISSIONS) expect(can('admin', p)).toBe(true);
    expect(ROLE_PERMISSIONS.member).toEqual(['org.read', 'dashboards.read', 'views.manage', 'annotations.manage', 'exports.create']);
    expect(ROLE_PERMISSIONS.viewer).toEqual(['org.read', 'dashboards.read']);
    for (const p of ['members.read', 'members.manage', 'audit.read', 'settings.manage', 'stripe.manage', 'org.delete', 'tokens.manage', 'billing.manage']) {
      expect(can('member', p)).toBe(false);
      expect(can('viewer', p)).toBe(false);
    }
  });

  it('grants nothing for an unknown role or permission', () => {
    expect(can('owner', 'dashboards.read')).toBe(false);
    expect(can('admin', 'dashboards.write')).toBe(false);
    expect(can('admin', '__proto__')).toBe(false);
    expect(isPermission('toString')).toBe(false);
  });

  it('is a hierarchy: every Viewer permission is a Member permission, every Member one an Admin one', () => {
    for (const p of ROLE_PERMISSIONS.viewer) expect(can('member', p)).toBe(true);
    for (const p of ROLE_PERMISSIONS.member) expect(can('admin', p)).toBe(true);
    expect(ROLES).toEqual(['admin', 'member', 'viewer']);
  });

  it('is documented in the README exactly as the code has it', () => {
    const doc = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const match = /<!-- permission-table:start -->\n([\s\S]*?)\n<!-- permission-table:end -->/.exec(doc);
    expect(match, 'README.md must hold the table between the permission-table markers').not.toBeNull();
    expect(match?.[1], 'README.md is out of date: paste permissionTableMarkdown() between the markers').toBe(
      permissionTableMarkdown(),
    );
  });
});

describe('route declaration check (canary)', () => {
  const base = { method: 'GET' as const, url: '/api/orgs/:orgId/x', schema: { querystring: NoQuery, params: OrgParams, response: { 200: Type.Object({}) } } };

  it('accepts a permission of the matrix on a route with :orgId', () => {
    expect(missingDeclarations({ ...base, config: { access: 'dashboards.read', rateLimit: 'read' } })).toEqual([]);
    expect(missingDeclarations({ ...base, url: '/healthz', schema: { querystring: NoQuery, response: base.schema.response }, config: { access: 'public', rateLimit: 'read' } })).toEqual([]);
  });

  it('refuses a permission string that is not in the matrix', () => {
    expect(missingDeclarations({ ...base, config: { access: 'dashboards.write', rateLimit: 'read' } })).toEqual([
      'config.access naming a permission of the role matrix (got "dashboards.write")',
    ]);
  });

  it('refuses a permission route without an :orgId to check it against', () => {
    expect(missingDeclarations({ ...base, url: '/api/things/:id', config: { access: 'members.read', rateLimit: 'read' } })).toEqual([
      'an :orgId path parameter for its permission check',
    ]);
  });

  it('stops start-up when such a route is registered', async () => {
    const app = Fastify();
    enforceRouteDeclarations(app);
    app.register(async (scope) => {
      scope.get('/api/orgs/:orgId/typo', { ...base, config: { access: 'member.manage', rateLimit: 'read' } }, async () => ({}));
    });
    await expect(app.ready()).rejects.toThrow(/permission of the role matrix \(got "member.manage"\)/);
    await app.close().catch(() => undefined);
  });
});
