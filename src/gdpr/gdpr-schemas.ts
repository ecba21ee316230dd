// The JSON answer of the organisation's deletion (DELETE /api/orgs/:orgId) as a TypeBox schema: the route's
// response schema (Fastify serialises exactly these fields). The data export is a zip stream, not JSON, so it
// has none. Imports nothing but TypeBox.
import { Type, type Static } from 'typebox';

export const OrgDeletedSchema = Type.Object({
  deleted: Type.Literal(true),
  orgId: Type.String(),
  deletedAt: Type.String({ format: 'date-time' }),
  /** the organisation's audit entries are kept (legal hold) until then, then purged */
  auditRetainedUntil: Type.String({ format: 'date-time' }),
});
export type OrgDeleted = Static<typeof OrgDeletedSchema>;
