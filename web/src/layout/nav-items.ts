// The side navigation, in one list, so the router and the menu cannot disagree about what exists.
import type { Role } from '../api/types.js';
import { can, type Capability } from '../app/roles.js';
import type { IconName } from '../components/Icon.js';

export interface NavItem {
  /** Path below /orgs/:orgId/ */
  path: string;
  label: string;
  icon: IconName;
  capability: Capability;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

export const NAV: NavGroup[] = [
  {
    label: 'Analytics',
    items: [
      { path: 'overview', label: 'Overview', icon: 'overview', capability: 'viewDashboards' },
      { path: 'mrr', label: 'MRR', icon: 'mrr', capability: 'viewDashboards' },
      { path: 'churn', label: 'Churn', icon: 'churn', capability: 'viewDashboards' },
      { path: 'cohorts', label: 'Cohorts', icon: 'cohorts', capability: 'viewDashboards' },
      { path: 'trials', label: 'Trials', icon: 'plans', capability: 'viewDashboards' },
      { path: 'failed-payments', label: 'Failed payments', icon: 'churn', capability: 'viewDashboards' },
      { path: 'cash', label: 'Cash & refunds', icon: 'mrr', capability: 'viewDashboards' },
      { path: 'customers', label: 'Customers', icon: 'customers', capability: 'viewDashboards' },
      { path: 'plans', label: 'Plans', icon: 'plans', capability: 'viewDashboards' },
    ],
  },
  {
    label: 'Settings',
    items: [
      { path: 'settings/team', label: 'Team', icon: 'team', capability: 'manageMembers' },
      { path: 'settings/stripe', label: 'Stripe', icon: 'stripe', capability: 'viewDashboards' },
      { path: 'settings/exchange-rates', label: 'Exchange rates', icon: 'plans', capability: 'viewDashboards' },
      { path: 'settings/audit-log', label: 'Audit log', icon: 'audit', capability: 'viewAuditLog' },
      { path: 'settings/security-events', label: 'Security events', icon: 'security', capability: 'viewAuditLog' },
      { path: 'settings/staff-access', label: 'Staff access', icon: 'team', capability: 'viewAuditLog' },
      { path: 'settings/api-tokens', label: 'API tokens', icon: 'security', capability: 'manageMembers' },
      { path: 'settings/sessions', label: 'Sessions', icon: 'sessions', capability: 'viewDashboards' },
      { path: 'settings/security', label: 'Security', icon: 'security', capability: 'viewDashboards' },
      { path: 'settings/notifications', label: 'Notifications', icon: 'sessions', capability: 'viewDashboards' },
      { path: 'settings/billing', label: 'Billing', icon: 'stripe', capability: 'manageStripe' },
      { path: 'settings/data', label: 'Data & privacy', icon: 'security', capability: 'manageOrganisation' },
    ],
  },
];

/** The groups and items this role may open; empty groups are dropped. */
export function navFor(role: Role | undefined): NavGroup[] {
  return NAV.map((g) => ({ ...g, items: g.items.filter((i) => can(role, i.capability)) })).filter((g) => g.items.length > 0);
}

export function orgPath(orgId: string, path = 'overview'): string {
  return `/orgs/${encodeURIComponent(orgId)}/${path}`;
}

/** The same page in another organisation: "/orgs/A/settings/team" → "/orgs/B/settings/team". */
export function switchOrgPath(currentPath: string, orgId: string): string {
  const m = currentPath.match(/^\/orgs\/[^/]+\/(.+)$/);
  return orgPath(orgId, m?.[1] ?? 'overview');
}
