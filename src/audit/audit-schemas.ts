// The answers of the audit-log routes (src/audit/routes.ts) as TypeBox schemas: the routes' response schemas
// (Fastify sends only these fields), the query's return type (via Static<>) and, as type-only imports, the
// web app's. Imports only 'typebox'.
import { Type, type Static } from 'typebox';
import { IsoTime } from '../http/schema-primitives.js';

export const AuditEntryViewSchema = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  occurredAt: IsoTime,
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  result: Type.String(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  /** Whatever JSON the action recorded (never personal data beyond the ip and user agent above). */
  metadata: Type.Unknown(),
  /** The entry's link in the log's hash chain, so an export can be checked for tampering. */
  hash: Type.String(),
});
export type AuditEntryView = Static<typeof AuditEntryViewSchema>;

/** GET /api/orgs/:orgId/audit without ?format: newest first; `nextBefore` is the `before` (a seq) of the next page. */
export const AuditPageSchema = Type.Object({
  entries: Type.Array(AuditEntryViewSchema),
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
});
export type AuditPage = Static<typeof AuditPageSchema>;

/** POST /api/orgs/:orgId/audit/page-view: false when this user's view of this page was already recorded this minute. */
export const PageViewRecordedSchema = Type.Object({ recorded: Type.Boolean() });
export type PageViewRecorded = Static<typeof PageViewRecordedSchema>;
