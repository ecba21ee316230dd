// The JSON answer of the organisation's deletion (DELETE /api/orgs/:orgId) as a TypeBox schema: the route's
// response schema (Fastify serialises exactly these fields). The data export is a zip stream, not JSON, so it
// has none. Imports nothing but TypeBox.
import { Type, type Static } from 'typebox';
import { IsoTime } from '../http/schema-primitives.js';

export const OrgDeletedSchema = Type.Object({
  deleted: Type.Literal(true),
  orgId: Type.String(),
  deletedAt: IsoTime,
  /** the organisation's audit entries are kept (legal hold) until then, then purged */
  auditRetainedUntil: IsoTime,
});
export type OrgDeleted = Static<typeof OrgDeletedSchema>;
