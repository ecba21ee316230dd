// The answers of the staff routes (/api/staff/*) and of the Admins' consent routes (/api/orgs/:orgId/
// staff-access…, src/staff/routes.ts) as TypeBox schemas: the routes' response schemas (Fastify sends only
// these fields), the services' return types (via Static<>) and, as type-only imports, the web app's.
// Imports only 'typebox'.
import { Type, type Static } from 'typebox';
import { IsoTime, Nullable } from '../http/schema-primitives.js';


/** A grant's stored status, or for an approved one whether its window is 'active' or 'expired' by now. */
export const GrantStateSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('refused'),
  Type.Literal('revoked'),
  Type.Literal('cancelled'),
  Type.Literal('active'),
  Type.Literal('expired'),
]);
export type GrantState = Static<typeof GrantStateSchema>;

/** A grant's fields that need no decryption: what its staff member sees of their own requests. */
export const GrantSummarySchema = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  requestedHours: Type.Integer(),
  state: GrantStateSchema,
  requestedAt: IsoTime,
  decidedAt: Nullable(IsoTime),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  startsAt: Nullable(IsoTime),
  expiresAt: Nullable(IsoTime),
  revokedAt: Nullable(IsoTime),
  endReason: Type.Union([Type.String(), Type.Null()]),
  requestCount: Type.Integer(),
  lastUsedAt: Nullable(IsoTime),
});
export type GrantSummary = Static<typeof GrantSummarySchema>;

/** A grant as the organisation's Admins see it: who asks, and why. */
export const GrantViewSchema = Type.Object({
  ...GrantSummarySchema.properties,
  staff: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
  reason: Type.String(),
});
export type GrantView = Static<typeof GrantViewSchema>;

/** POST /api/staff/setup: the TOTP secret to enrol, shown once. */
export const StaffSetupSchema = Type.Object({ secret: Type.String(), otpauthUri: Type.String() });
export type StaffSetup = Static<typeof StaffSetupSchema>;

/** POST /api/staff/setup/confirm */
export const StaffSetupConfirmedSchema = Type.Object({ ok: Type.Literal(true), id: Type.String() });
export type StaffSetupConfirmed = Static<typeof StaffSetupConfirmedSchema>;

/** POST /api/staff/login and /api/staff/logout */
export const StaffOkSchema = Type.Object({ ok: Type.Literal(true) });
export type StaffOk = Static<typeof StaffOkSchema>;

/** GET /api/staff/me */
export const StaffMeSchema = Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() });
export type StaffMe = Static<typeof StaffMeSchema>;

/** GET /api/staff/access-requests: the staff member's own requests, without reasons. */
export const OwnGrantListSchema = Type.Object({ requests: Type.Array(GrantSummarySchema) });
export type OwnGrantList = Static<typeof OwnGrantListSchema>;

/** POST /api/staff/access-requests (201) */
export const GrantRequestedSchema = Type.Object({
  request: Type.Object({ id: Type.String(), orgId: Type.String(), state: GrantStateSchema, requestedHours: Type.Integer() }),
});
export type GrantRequested = Static<typeof GrantRequestedSchema>;

/** GET /api/orgs/:orgId/staff-access */
export const OrgGrantListSchema = Type.Object({ requests: Type.Array(GrantViewSchema) });
export type OrgGrantList = Static<typeof OrgGrantListSchema>;

/** POST /api/orgs/:orgId/staff-access/:grantId/{approve,refuse,revoke} */
export const GrantDecidedSchema = Type.Object({ request: GrantViewSchema });
export type GrantDecided = Static<typeof GrantDecidedSchema>;
