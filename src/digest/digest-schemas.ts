// The JSON answers of the notification routes as TypeBox schemas: the routes' response schemas (Fastify
// serialises exactly these fields: the Slack webhook URL, a secret, is only ever said to be configured) and,
// type-only, the web app's notification pages. Imports nothing but TypeBox.
import { Type, type Static } from 'typebox';

export const DigestCadenceSchema = Type.Union([Type.Literal('off'), Type.Literal('daily'), Type.Literal('weekly')]);
export type DigestCadence = Static<typeof DigestCadenceSchema>;
export const NotifyChannelSchema = Type.Union([Type.Literal('off'), Type.Literal('email'), Type.Literal('slack')]);
export type NotifyChannel = Static<typeof NotifyChannelSchema>;
export const NotifyKindSchema = Type.Union([Type.Literal('new'), Type.Literal('upgrade'), Type.Literal('downgrade'), Type.Literal('churn')]);
export type NotifyKind = Static<typeof NotifyKindSchema>;

/** GET and PUT /api/orgs/:orgId/notifications/preferences: the member's own preferences. */
export const PreferencesViewSchema = Type.Object({
  digest: DigestCadenceSchema,
  notifyChannel: NotifyChannelSchema,
  notifyEvents: Type.Array(NotifyKindSchema),
  slackWebhookConfigured: Type.Boolean(),
});
export type PreferencesView = Static<typeof PreferencesViewSchema>;

/** POST /unsubscribe: what was switched off. */
export const UnsubscribedSchema = Type.Object({ unsubscribed: Type.Union([Type.Literal('digest'), Type.Literal('notify')]) });
export type Unsubscribed = Static<typeof UnsubscribedSchema>;
