// The answers of the organisation, members, invites, invite-acceptance and setup routes (src/teams/routes.ts)
// as TypeBox schemas: the routes' response schemas (an allow-list: Fastify sends only these fields), the
// services' return types (via Static<>) and, as type-only imports, the web app's. Imports only 'typebox', so
// importing its types costs the web bundle nothing.
import { Type, type Static } from 'typebox';
import { IsoTime } from '../http/schema-primitives.js';


export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('member'), Type.Literal('viewer')]);

/** GET and PATCH /api/orgs/:orgId without the caller's role. */
export const OrgSettingsSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  reportingCurrency: Type.String(),
  timezone: Type.String(),
  dataRegion: Type.String(),
  createdAt: IsoTime,
});
export type OrgSettings = Static<typeof OrgSettingsSchema>;

/** GET and PATCH /api/orgs/:orgId: the settings and the caller's role there. */
export const OrgViewSchema = Type.Object({ ...OrgSettingsSchema.properties, role: RoleSchema });
export type OrgView = Static<typeof OrgViewSchema>;

export const MemberSchema = Type.Object({ userId: Type.String(), name: Type.String(), email: Type.String(), role: RoleSchema, joinedAt: IsoTime });
export type Member = Static<typeof MemberSchema>;

/** GET /api/orgs/:orgId/members */
export const MemberListSchema = Type.Object({ members: Type.Array(MemberSchema) });
export type MemberList = Static<typeof MemberListSchema>;

/** PATCH /api/orgs/:orgId/members/:userId */
export const RoleChangeSchema = Type.Object({ userId: Type.String(), role: RoleSchema, changed: Type.Boolean() });
export type RoleChange = Static<typeof RoleChangeSchema>;

/** POST /api/orgs/:orgId/invites and POST /api/orgs/:orgId/members (201). */
export const InviteSentSchema = Type.Object({
  invite: Type.Object({ id: Type.String(), role: RoleSchema, expiresAt: IsoTime }),
  emailSent: Type.Boolean(),
  /** True when a pending invite to the same address was replaced. */
  replaced: Type.Boolean(),
});
export type InviteSent = Static<typeof InviteSentSchema>;

export const PendingInviteSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  invitedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoTime,
  expiresAt: IsoTime,
});
export type PendingInvite = Static<typeof PendingInviteSchema>;

/** GET /api/orgs/:orgId/invites */
export const InviteListSchema = Type.Object({ invites: Type.Array(PendingInviteSchema) });
export type InviteList = Static<typeof InviteListSchema>;

/** POST /api/invites/accept: `next` says where the browser goes (a new account signs in first). */
export const InviteAcceptedSchema = Type.Object({
  orgId: Type.String(),
  role: RoleSchema,
  accountCreated: Type.Boolean(),
  next: Type.Union([Type.Literal('org'), Type.Literal('login')]),
});
export type InviteAccepted = Static<typeof InviteAcceptedSchema>;

/** POST /api/setup (201). */
export const SetupDoneSchema = Type.Object({ orgId: Type.String(), next: Type.Literal('login') });
export type SetupDone = Static<typeof SetupDoneSchema>;
