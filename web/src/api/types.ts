// Shapes of the Mowt API as the web app reads them (see the contract in issue 4).

export type Role = 'admin' | 'member' | 'viewer';

export interface OrgMembership {
  id: string;
  name: string;
  role: Role;
}

export interface Me {
  user: { id: string; email: string; name: string | null };
  orgs: OrgMembership[];
}

// Sign-in's answers as the server declares them (src/auth/auth-schemas.ts; type-only, nothing bundled). The
// TOTP enrolment's qrSvg is SVG markup, rendered through an <img>, never injected into the DOM.
export type { LoginNext, TotpEnrolment } from '../../../src/auth/auth-schemas.js';

export interface Member {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  joinedAt?: string;
}

export interface Invite {
  id: string;
  email: string;
  role: Role;
  expiresAt?: string;
  createdAt?: string;
}

export interface Session {
  id: string;
  current: boolean;
  createdAt?: string;
  lastSeenAt?: string;
  ip?: string;
  userAgent?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  /** A readable actor; the page swaps a user id for the member's name when it knows it. */
  actor: string;
  actorId: string | null;
  action: string;
  target: string;
  ip: string;
  userAgent: string;
  result: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
}

// Stripe connections (GET /api/orgs/:orgId/stripe/connections): the server's own view types (type-only
// imports, erased from the bundle), so the page cannot drift from what the route returns.
export type { ConnectionView as StripeConnection, ObjectProgress as StripeObjectProgress } from '../../../src/stripe/stripe-schemas.js';
