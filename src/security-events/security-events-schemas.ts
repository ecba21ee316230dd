// The answers of the security-event and alert-webhook routes (src/security-events/routes.ts) as TypeBox
// schemas: the routes' response schemas (Fastify sends only these fields: never the webhook's URL or its
// stored secret), the services' return types (via Static<>) and, as type-only imports, the web app's.
// Imports only 'typebox'.
import { Type, type Static } from 'typebox';
import { IsoTime } from '../http/schema-primitives.js';


export const SeveritySchema = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
export type Severity = Static<typeof SeveritySchema>;

export const SecurityEventViewSchema = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  severity: SeveritySchema,
  occurredAt: IsoTime,
  subject: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  /** Counts and kinds only. */
  summary: Type.String(),
  /** Addresses, user agents, countries (stored encrypted): flat values only. */
  details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  alerted: Type.Boolean(),
});
export type SecurityEventView = Static<typeof SecurityEventViewSchema>;

/** GET /api/orgs/:orgId/security-events: newest first; `nextBefore` is the `before` of the next page. */
export const SecurityEventPageSchema = Type.Object({
  events: Type.Array(SecurityEventViewSchema),
  nextBefore: Type.Union([IsoTime, Type.Null()]),
});
export type SecurityEventPage = Static<typeof SecurityEventPageSchema>;

/** Only the host is shown: a Slack webhook URL is itself a credential. */
export const AlertWebhookSchema = Type.Union([
  Type.Object({ configured: Type.Literal(true), host: Type.String() }),
  Type.Object({ configured: Type.Literal(false), host: Type.Null() }),
]);

/** GET /api/orgs/:orgId/security-alerts and DELETE …/security-alerts/webhook */
export const AlertSettingsSchema = Type.Object({ webhook: AlertWebhookSchema });
export type AlertSettings = Static<typeof AlertSettingsSchema>;

/** PUT /api/orgs/:orgId/security-alerts/webhook: the signing secret is shown this once. */
export const AlertWebhookSetSchema = Type.Object({ webhook: AlertWebhookSchema, secret: Type.String() });
export type AlertWebhookSet = Static<typeof AlertWebhookSetSchema>;

/** POST /api/orgs/:orgId/security-alerts/webhook/test: `error` (at most 200 characters) when not delivered. */
export const AlertTestSchema = Type.Object({ delivered: Type.Boolean(), error: Type.Optional(Type.String()) });
export type AlertTest = Static<typeof AlertTestSchema>;
