// The isolation/role matrix, written out: every route the server registers is listed here, either with the
// permission the docs give it (README "Teams, roles and permissions", docs/metrics-api.md, docs/stripe-sync.md,
// docs/billing.md, docs/operations.md, docs/security-operations.md) or in a reasoned exemption. The suites do
// not take a route's own `config.access` for granted: role-matrix.test.ts fails when a registered route is
// missing here or declares something else, and walks every listed permission route per role and for staff;
// tenant-isolation.test.ts walks them with another organisation's ids. A new route means a new line here.
//
// HEAD routes are the GET route's automatic twin: a HEAD is covered by its GET's line and must declare the same.
import type { Permission } from '../../src/teams/index.js';

/** Organisation routes (`:orgId` in the path): the permission each one is meant to need. */
export const PERMISSION_ROUTES: Readonly<Record<string, Permission>> = {
  // Teams (README "Team and audit API")
  'GET /api/orgs/:orgId': 'org.read',
  'PATCH /api/orgs/:orgId': 'settings.manage',
  'GET /api/orgs/:orgId/members': 'members.read',
  'POST /api/orgs/:orgId/members': 'members.manage',
  'PATCH /api/orgs/:orgId/members/:userId': 'members.manage',
  'DELETE /api/orgs/:orgId/members/:userId': 'members.manage',
  'POST /api/orgs/:orgId/invites': 'members.manage',
  'GET /api/orgs/:orgId/invites': 'members.read',
  'DELETE /api/orgs/:orgId/invites/:inviteId': 'members.manage',
  'GET /api/orgs/:orgId/audit': 'audit.read',
  'POST /api/orgs/:orgId/audit/page-view': 'dashboards.read',
  'GET /api/orgs/:orgId/data-export': 'data.export',
  'DELETE /api/orgs/:orgId': 'org.delete',
  'GET /api/orgs/:orgId/backups/status': 'settings.manage',
  // API tokens (README "Rate limits and the read API")
  'GET /api/orgs/:orgId/api-tokens': 'tokens.manage',
  'POST /api/orgs/:orgId/api-tokens': 'tokens.manage',
  'DELETE /api/orgs/:orgId/api-tokens/:tokenId': 'tokens.manage',
  // Saved views and annotations: everyone reads them, Admin and Member change them
  'GET /api/orgs/:orgId/views': 'dashboards.read',
  'POST /api/orgs/:orgId/views': 'views.manage',
  'PATCH /api/orgs/:orgId/views/:viewId': 'views.manage',
  'DELETE /api/orgs/:orgId/views/:viewId': 'views.manage',
  'GET /api/orgs/:orgId/annotations': 'dashboards.read',
  'POST /api/orgs/:orgId/annotations': 'annotations.manage',
  'PATCH /api/orgs/:orgId/annotations/:annotationId': 'annotations.manage',
  'DELETE /api/orgs/:orgId/annotations/:annotationId': 'annotations.manage',
  // Stripe (docs/stripe-sync.md: sync progress for the whole team, changes for Admins)
  'GET /api/orgs/:orgId/stripe/connections': 'org.read',
  'POST /api/orgs/:orgId/stripe/connections': 'stripe.manage',
  'DELETE /api/orgs/:orgId/stripe/connections/:connectionId': 'stripe.manage',
  'PUT /api/orgs/:orgId/stripe/connections/:connectionId/webhook-secret': 'stripe.manage',
  'PUT /api/orgs/:orgId/stripe/connections/:connectionId/key': 'stripe.manage',
  'POST /api/orgs/:orgId/stripe/connections/:connectionId/sync': 'stripe.manage',
  'GET /api/orgs/:orgId/stripe/oauth/start': 'stripe.manage',
  // Analytics (docs/metrics-api.md: read dashboards.read, CSV exports.create, settings/recompute settings.manage)
  'GET /api/orgs/:orgId/metrics/status': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/summary': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/kpis': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/mrr': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/churn': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/trials': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/failed-payments': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/cash': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/cohorts': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/plans': 'dashboards.read',
  'GET /api/orgs/:orgId/metrics/movements': 'dashboards.read',
  'GET /api/orgs/:orgId/customers': 'dashboards.read',
  'GET /api/orgs/:orgId/customers/:customerId': 'dashboards.read',
  'GET /api/orgs/:orgId/exports/:dataset': 'exports.create',
  'GET /api/orgs/:orgId/metrics/settings': 'dashboards.read',
  'PUT /api/orgs/:orgId/metrics/settings': 'settings.manage',
  'POST /api/orgs/:orgId/metrics/recompute': 'settings.manage',
  'GET /api/orgs/:orgId/analytics/fx-rates': 'dashboards.read',
  'PUT /api/orgs/:orgId/analytics/fx-rates': 'settings.manage',
  'DELETE /api/orgs/:orgId/analytics/fx-rates': 'settings.manage',
  // Billing and onboarding (docs/billing.md: every member's layout shows the plan status)
  'GET /api/orgs/:orgId/billing': 'billing.manage',
  'GET /api/orgs/:orgId/billing/status': 'org.read',
  'POST /api/orgs/:orgId/billing/checkout': 'billing.manage',
  'POST /api/orgs/:orgId/billing/portal': 'billing.manage',
  'POST /api/orgs/:orgId/onboarding/demo': 'stripe.manage',
  // Each member's own notification preferences (docs/billing.md "Communications")
  'GET /api/orgs/:orgId/notifications/preferences': 'dashboards.read',
  'PUT /api/orgs/:orgId/notifications/preferences': 'dashboards.read',
  // Security operations (docs/security-operations.md)
  'GET /api/orgs/:orgId/security-events': 'audit.read',
  'GET /api/orgs/:orgId/security-alerts': 'settings.manage',
  'PUT /api/orgs/:orgId/security-alerts/webhook': 'settings.manage',
  'DELETE /api/orgs/:orgId/security-alerts/webhook': 'settings.manage',
  'POST /api/orgs/:orgId/security-alerts/webhook/test': 'settings.manage',
  'GET /api/orgs/:orgId/staff-access': 'staff.approve',
  'POST /api/orgs/:orgId/staff-access/:grantId/approve': 'staff.approve',
  'POST /api/orgs/:orgId/staff-access/:grantId/refuse': 'staff.approve',
  'POST /api/orgs/:orgId/staff-access/:grantId/revoke': 'staff.approve',
};

export type ExemptAccess = 'public' | 'session' | 'user' | 'api-token' | 'staff';

/** Routes outside the role matrix: what they must declare and why no organisation role decides them. */
export const EXEMPT_ROUTES: Readonly<Record<string, { access: ExemptAccess; why: string }>> = {
  // Health, disclosure, status page and the web app: no organisation data at all.
  'GET /healthz': { access: 'public', why: 'liveness probe, no data' },
  'GET /readyz': { access: 'public', why: 'readiness probe, no data' },
  'GET /.well-known/security.txt': { access: 'public', why: 'disclosure policy (RFC 9116)' },
  'GET /security/policy.txt': { access: 'public', why: 'disclosure policy text' },
  'GET /api/security/acknowledgements': { access: 'public', why: 'public list of reporters' },
  'GET /api/status': { access: 'public', why: 'public incident status, names no organisation' },
  'GET /status': { access: 'public', why: 'public status page' },
  'GET /status.css': { access: 'public', why: 'status page stylesheet' },
  'GET /*': { access: 'public', why: 'the single-page app shell; every datum it shows comes from the routes above' },
  'GET /api/v1/openapi.json': { access: 'public', why: 'describes the read API, no organisation data' },
  // Signing in and account recovery: before any session exists; tokens or credentials decide.
  'GET /api/auth/csrf': { access: 'public', why: 'hands out the CSRF token that login itself needs' },
  'POST /api/auth/login': { access: 'public', why: 'password step (throttled)' },
  'POST /api/auth/password/forgot': { access: 'public', why: 'same answer for every address' },
  'POST /api/auth/password/reset': { access: 'public', why: 'single-use emailed token decides' },
  'POST /api/auth/email/verify': { access: 'public', why: 'single-use emailed token decides' },
  'POST /api/auth/email/change/confirm': { access: 'public', why: 'single-use emailed token decides' },
  'GET /api/auth/signup': { access: 'public', why: 'whether sign-up is open' },
  'POST /api/auth/signup': { access: 'public', why: 'creates a new organisation of its own' },
  'POST /api/invites/accept': { access: 'public', why: 'single-use invite token decides the organisation and role' },
  'POST /api/setup': { access: 'public', why: 'one-time setup link while no user exists' },
  // Signature- or token-authenticated callbacks.
  'GET /api/stripe/oauth/callback': { access: 'public', why: 'Stripe redirects here; completes only for the session that started the flow (state)' },
  'POST /webhooks/stripe': { access: 'public', why: 'Stripe-signed event; the signature decides' },
  'POST /webhooks/stripe/:connection': { access: 'public', why: "Stripe-signed event; the connection's own secret decides" },
  'POST /api/billing/webhook': { access: 'public', why: "signed by Mowt's own Stripe account" },
  'POST /unsubscribe': { access: 'public', why: 'RFC 8058 one-click; the HMAC token names the member' },
  // The caller's own account, mid-sign-in ('session') or fully signed in ('user'): no organisation in the path.
  'POST /api/auth/totp/enroll': { access: 'session', why: '2FA enrolment of the caller' },
  'POST /api/auth/totp/confirm': { access: 'session', why: '2FA enrolment of the caller' },
  'POST /api/auth/totp/verify': { access: 'session', why: "the caller's second factor" },
  'POST /api/auth/recovery': { access: 'session', why: "the caller's recovery code" },
  'POST /api/auth/logout': { access: 'session', why: "ends the caller's session" },
  'POST /api/auth/email/resend': { access: 'session', why: "the caller's verification mail" },
  'POST /api/auth/totp/disable': { access: 'user', why: "the caller's own 2FA" },
  'POST /api/auth/reauth': { access: 'user', why: "the caller's sudo mode" },
  'POST /api/auth/password/change': { access: 'user', why: "the caller's own password" },
  'POST /api/auth/email/change': { access: 'user', why: "the caller's own address" },
  'GET /api/auth/sessions': { access: 'user', why: "the caller's own sessions" },
  'DELETE /api/auth/sessions/:sessionId': { access: 'user', why: "the caller's own sessions (another user's id: 404, tenant-isolation walk)" },
  'GET /api/me': { access: 'user', why: 'the caller and their memberships' },
  // The token-only read API: the token names its organisation (src/tokens/tokens.test.ts, src/api-v1/).
  'GET /api/v1/org': { access: 'api-token', why: "the token's own organisation only" },
  'GET /api/v1/metrics/status': { access: 'api-token', why: "the token's own organisation only" },
  'GET /api/v1/metrics/summary': { access: 'api-token', why: "the token's own organisation only" },
  'GET /api/v1/metrics/kpis': { access: 'api-token', why: "the token's own organisation only" },
  'GET /api/v1/metrics/mrr': { access: 'api-token', why: "the token's own organisation only" },
  'GET /api/v1/metrics/churn': { access: 'api-token', why: "the token's own organisation only" },
  // Mowt staff (docs/security-operations.md): own login; organisation data only through the consent gate.
  'POST /api/staff/setup': { access: 'public', why: 'one-time staff setup token decides' },
  'POST /api/staff/setup/confirm': { access: 'public', why: 'one-time staff setup token decides' },
  'POST /api/staff/login': { access: 'public', why: 'staff password + TOTP in one step' },
  'POST /api/staff/logout': { access: 'staff', why: "ends the staff member's session" },
  'GET /api/staff/me': { access: 'staff', why: 'the staff member themself' },
  'GET /api/staff/access-requests': { access: 'staff', why: "the staff member's own requests, no organisation data" },
  'POST /api/staff/access-requests': { access: 'staff', why: "asks an organisation's Admins for consent; grants nothing" },
};

/** "METHOD /url" of a registered route, HEAD folded into its GET. */
export function matrixKey(route: { method: string; url: string }): string {
  return `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;
}
