// The one role → permission matrix. Plain data, no HTTP or database: the permission hook, the route
// declaration check, the role-matrix security suite and the README all read this table, so the
// server, the tests and the README cannot drift apart.

export const ROLES = ['admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission a route may declare as its `config.access`, with the sentence the README shows. */
export const PERMISSIONS = {
  'org.read': 'See the organisation’s name, reporting currency and timezone',
  'dashboards.read': 'View dashboards and metrics',
  'views.manage': 'Create, edit and delete saved views',
  'annotations.manage': 'Add, edit and delete chart annotations',
  'exports.create': 'Export metrics and customer data (CSV/JSON)',
  'members.read': 'List members and pending invites',
  'members.manage': 'Invite members, change roles, remove members',
  'stripe.manage': 'Connect, re-sync and disconnect Stripe accounts',
  'settings.manage': 'Change organisation settings (name, currency, timezone)',
  'audit.read': 'Browse, filter and export the audit log',
  'data.export': 'Export all of the organisation’s data (GDPR)',
  'org.delete': 'Delete the organisation and all of its data',
  'tokens.manage': 'Create, list and revoke API tokens',
  'billing.manage': 'Manage the Mowt subscription and invoices',
  'staff.approve': 'Approve, refuse and revoke Mowt staff access requests',
} as const satisfies Record<string, string>;
export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

// Admin: everything. Member: the day-to-day analytics work. Viewer: read-only dashboards.
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ALL_PERMISSIONS,
  member: ['org.read', 'dashboards.read', 'views.manage', 'annotations.manage', 'exports.create'],
  viewer: ['org.read', 'dashboards.read'],
};

export const ROLE_LABELS: Readonly<Record<Role, string>> = { admin: 'Admin', member: 'Member', viewer: 'Viewer' };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

/** Whether `role` grants `permission`. Unknown roles or permissions grant nothing. */
export function can(role: string, permission: string): boolean {
  if (!isRole(role) || !isPermission(permission)) return false;
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** The Markdown table the README carries (a test fails when the two disagree). */
export function permissionTableMarkdown(): string {
  const header = `| Permission | What it allows | ${ROLES.map((r) => ROLE_LABELS[r]).join(' | ')} |`;
  const rule = `|---|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = ALL_PERMISSIONS.map(
    (p) => `| \`${p}\` | ${PERMISSIONS[p]} | ${ROLES.map((r) => (can(r, p) ? '✓' : '—')).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}
