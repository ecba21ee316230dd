// What each role may see in the web app. The server enforces the real permission matrix; this copy
// only decides what to show, so a person is not offered pages that would answer 403.
import type { Role } from '../api/types.js';

export const ROLES: readonly Role[] = ['admin', 'member', 'viewer'];

export const ROLE_LABELS: Record<Role, string> = { admin: 'Admin', member: 'Member', viewer: 'Viewer' };

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: 'Everything, including members, Stripe connections, settings and the audit log.',
  member: 'Dashboards, saved views, exports and annotations.',
  viewer: 'Read-only dashboards.',
};

export type Capability = 'viewDashboards' | 'manageMembers' | 'viewAuditLog' | 'export' | 'manageStripe' | 'manageOrganisation';

const MATRIX: Record<Capability, readonly Role[]> = {
  viewDashboards: ['admin', 'member', 'viewer'],
  manageMembers: ['admin'],
  viewAuditLog: ['admin'],
  export: ['admin', 'member'],
  manageStripe: ['admin'],
  // Backups, the GDPR export and deleting the organisation (data.export, org.delete).
  manageOrganisation: ['admin'],
};

export function can(role: Role | undefined, capability: Capability): boolean {
  return role !== undefined && MATRIX[capability].includes(role);
}

/** Accepts the server's spelling whatever its case ("Admin" or "admin"); unknown roles are refused. */
export function parseRole(value: unknown): Role | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return (ROLES as readonly string[]).includes(lower) ? (lower as Role) : undefined;
}
