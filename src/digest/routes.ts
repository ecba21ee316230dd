// Notification preferences (each member their own: dashboards.read, which every role has) and the one-click
// unsubscribe endpoint. POST /unsubscribe is the URL in List-Unsubscribe: mail providers POST
// "List-Unsubscribe=One-Click" to it (RFC 8058) — no session, no CSRF token, the signed token decides. A GET
// of the same URL is the web app's confirmation page, which changes nothing until its button is pressed.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requestMeta, requireAuth } from '../auth/auth-plugin.js';
import { orgOf } from '../teams/permission-hook.js';
import type { DigestService } from './digest-service.js';
import { PreferencesViewSchema, UnsubscribedSchema } from './digest-schemas.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const Kind = Type.Union([Type.Literal('new'), Type.Literal('upgrade'), Type.Literal('downgrade'), Type.Literal('churn')]);
const PrefsBody = Type.Object(
  {
    digest: Type.Union([Type.Literal('off'), Type.Literal('daily'), Type.Literal('weekly')]),
    notifyChannel: Type.Union([Type.Literal('off'), Type.Literal('email'), Type.Literal('slack')]),
    notifyEvents: Type.Array(Kind, { maxItems: 4 }),
    slackWebhookUrl: Type.Optional(Type.Union([Type.String({ minLength: 10, maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const TokenQuery = Type.Object({ token: Type.String({ minLength: 10, maxLength: 300 }) }, { additionalProperties: false });
const OneClickBody = Type.Unsafe<unknown>({});

export function digestRoutes(digest: DigestService) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/orgs/:orgId/notifications/preferences', { schema: { params: OrgParams, querystring: NoQuery, response: { 200: PreferencesViewSchema } }, config: { access: 'dashboards.read', rateLimit: 'read' } }, async (request) =>
      digest.getPreferences(orgOf(request).id, requireAuth(request).userId));
    app.put('/api/orgs/:orgId/notifications/preferences', { schema: { params: OrgParams, querystring: NoQuery, body: PrefsBody, response: { 200: PreferencesViewSchema } }, config: { access: 'dashboards.read', rateLimit: 'write' } }, async (request) =>
      digest.savePreferences(orgOf(request).id, requireAuth(request).userId, request.body, requestMeta(request)));

    await app.register(async (scope) => {
      // Mail providers send a form body; the web page sends JSON. Either way only the token matters.
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => done(null, body));
      scope.withTypeProvider<TypeBoxTypeProvider>().post('/unsubscribe', { schema: { querystring: TokenQuery, body: OneClickBody, response: { 200: UnsubscribedSchema } }, config: { access: 'public', rateLimit: 'auth', csrf: false } }, async (request) =>
        digest.unsubscribe(request.query.token, requestMeta(request)));
    });
  };
}
