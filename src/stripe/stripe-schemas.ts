// The answers of the Stripe connection routes (src/stripe/routes.ts) as TypeBox schemas: the routes'
// response schemas (Fastify sends only these fields, so never a token or a webhook secret), the services'
// return types (via Static<>) and, as type-only imports, the web app's. Imports only 'typebox'.
import { Type, type Static } from 'typebox';
import { IsoTime } from '../http/schema-primitives.js';

const LastError = Type.Union([Type.Object({ message: Type.String(), at: Type.Union([IsoTime, Type.Null()]) }), Type.Null()]);

export const ObjectProgressSchema = Type.Object({
  type: Type.String(),
  count: Type.Integer(),
  done: Type.Boolean(),
  progress: Type.Number(),
  lastSuccessAt: Type.Union([IsoTime, Type.Null()]),
  lastError: LastError,
});
export type ObjectProgress = Static<typeof ObjectProgressSchema>;

export const ConnectionViewSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('oauth'), Type.Literal('restricted_key')]),
  label: Type.String(),
  isDemo: Type.Boolean(),
  stripeAccountId: Type.String(),
  livemode: Type.Boolean(),
  /** Never the token: only its masked form. */
  tokenMasked: Type.String(),
  status: Type.String(),
  webhookSecretSet: Type.Boolean(),
  /** Where the Admin points a restricted-key connection's own Stripe webhook endpoint (null for OAuth: app-wide). */
  webhookUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoTime,
  sync: Type.Object({
    phase: Type.Union([Type.Literal('backfilling'), Type.Literal('live'), Type.Literal('error'), Type.Literal('revoked')]),
    progress: Type.Number(),
    etaSeconds: Type.Union([Type.Number(), Type.Null()]),
    lastSuccessAt: Type.Union([IsoTime, Type.Null()]),
    lastError: LastError,
    objects: Type.Array(ObjectProgressSchema),
  }),
});
export type ConnectionView = Static<typeof ConnectionViewSchema>;

/** GET /api/orgs/:orgId/stripe/connections */
export const ConnectionListSchema = Type.Object({ connections: Type.Array(ConnectionViewSchema) });
export type ConnectionList = Static<typeof ConnectionListSchema>;

/** POST /api/orgs/:orgId/stripe/connections (201) */
export const ConnectedSchema = Type.Object({ connectionId: Type.String() });
export type Connected = Static<typeof ConnectedSchema>;

/** DELETE /api/orgs/:orgId/stripe/connections/:connectionId: whether Stripe confirmed the access was revoked. */
export const DisconnectedSchema = Type.Object({ revokedAtStripe: Type.Boolean() });
export type Disconnected = Static<typeof DisconnectedSchema>;

/** PUT …/:connectionId/webhook-secret: the path to give Stripe as this connection's webhook endpoint. */
export const WebhookSecretSetSchema = Type.Object({ endpointPath: Type.String() });
export type WebhookSecretSet = Static<typeof WebhookSecretSetSchema>;

/** PUT …/:connectionId/key */
export const KeyReplacedSchema = Type.Object({ connectionId: Type.String(), tokenMasked: Type.String() });
export type KeyReplaced = Static<typeof KeyReplacedSchema>;

/** POST …/:connectionId/sync (202) */
export const SyncQueuedSchema = Type.Object({ queued: Type.Literal(true) });
export type SyncQueued = Static<typeof SyncQueuedSchema>;

/** GET /api/orgs/:orgId/stripe/oauth/start: where to send the browser. */
export const OAuthStartSchema = Type.Object({ url: Type.String() });
export type OAuthStart = Static<typeof OAuthStartSchema>;
