// /api/orgs/:orgId/security-events (Admins: audit.read) and the organisation's alert webhook
// (/api/orgs/:orgId/security-alerts…, settings.manage). The webhook's signing secret is made here and
// shown once; URL and secret are stored encrypted under the organisation's key.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { appendAudit, requestContext } from '../audit/index.js';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { orgOf } from '../teams/permission-hook.js';
import { orgWebhook, webhookSecretField, webhookUrlField } from './alerter.js';
import { listSecurityEvents } from './events-repo.js';
import { AlertSettingsSchema, AlertTestSchema, AlertWebhookSetSchema, SecurityEventPageSchema, type AlertTest } from './security-events-schemas.js';
import { checkWebhookUrl, newWebhookSecret, postWebhook, WebhookUrlError } from './webhook.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const NoBody = Type.Object({}, { additionalProperties: false });
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
const EventsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    before: Type.Optional(Type.String({ format: 'date-time' })),
    severity: Type.Optional(Severity),
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9_.]+$' })),
  },
  { additionalProperties: false },
);

export interface SecurityRoutesDeps {
  db: Db;
  crypto: FieldCrypto;
  clock: Clock;
  config: Pick<Config, 'env'>;
}

function actorOf(request: FastifyRequest) {
  if (!request.auth) throw new HttpProblem(403, 'only a member of the organisation can change its alert settings');
  return { type: 'user' as const, id: request.auth.userId };
}

export function securityEventRoutes(deps: SecurityRoutesDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/api/orgs/:orgId/security-events', { schema: { querystring: EventsQuery, params: OrgParams, response: { 200: SecurityEventPageSchema } }, config: { access: 'audit.read', rateLimit: 'read' } }, async (request) => {
      const orgId = orgOf(request).id;
      const q = request.query;
      const limit = q.limit ?? 50;
      const events = await withOrg(deps.db, orgId, (tx) =>
        listSecurityEvents(tx, deps.crypto, orgId, { limit: limit + 1, before: q.before ? new Date(q.before) : undefined, severity: q.severity, rule: q.rule }),
      );
      const page = events.slice(0, limit);
      return { events: page, nextBefore: events.length > limit ? (page[page.length - 1]?.occurredAt ?? null) : null };
    });

    app.get('/api/orgs/:orgId/security-alerts', { schema: { querystring: NoQuery, params: OrgParams, response: { 200: AlertSettingsSchema } }, config: { access: 'settings.manage', rateLimit: 'read' } }, async (request) => {
      const hook = await orgWebhook(deps, orgOf(request).id);
      // Only the host is shown again: a Slack webhook URL is itself a credential.
      return { webhook: hook ? { configured: true as const, host: new URL(hook.url).host } : { configured: false as const, host: null } };
    });

    app.put(
      '/api/orgs/:orgId/security-alerts/webhook',
      { schema: { querystring: NoQuery, params: OrgParams, body: Type.Object({ url: Type.String({ minLength: 8, maxLength: 2000 }) }, { additionalProperties: false }), response: { 200: AlertWebhookSetSchema } }, config: { access: 'settings.manage', rateLimit: 'write' } },
      async (request) => {
        const orgId = orgOf(request).id;
        const actor = actorOf(request);
        let url: URL;
        try {
          url = await checkWebhookUrl(request.body.url, deps.config.env === 'production');
        } catch (err) {
          if (err instanceof WebhookUrlError) throw new HttpProblem(400, err.message, { errors: [{ field: 'url', message: err.message }] });
          throw err;
        }
        const secret = newWebhookSecret();
        const now = deps.clock();
        await withOrg(deps.db, orgId, async (tx) => {
          const values = {
            webhook_url_encrypted: await deps.crypto.encryptField(orgId, webhookUrlField(orgId), url.toString(), tx),
            webhook_secret_encrypted: await deps.crypto.encryptField(orgId, webhookSecretField(orgId), secret, tx),
            updated_by: actor.id,
            updated_at: now,
          };
          await tx.insertInto('security_alert_settings').values({ org_id: orgId, ...values }).onConflict((oc) => oc.column('org_id').doUpdateSet(values)).execute();
          await appendAudit(tx, { orgId, actor, action: 'security.webhook.set', target: { type: 'security_alert_settings', id: orgId }, ...requestContext(request), metadata: { host: url.host }, at: now });
        });
        // The signing secret is shown this once; only its ciphertext is kept.
        return { webhook: { configured: true as const, host: url.host }, secret };
      },
    );

    app.delete('/api/orgs/:orgId/security-alerts/webhook', { schema: { querystring: NoQuery, params: OrgParams, response: { 200: AlertSettingsSchema } }, config: { access: 'settings.manage', rateLimit: 'write' } }, async (request) => {
      const orgId = orgOf(request).id;
      const actor = actorOf(request);
      await withOrg(deps.db, orgId, async (tx) => {
        const res = await tx.deleteFrom('security_alert_settings').where('org_id', '=', orgId).executeTakeFirst();
        if (Number(res.numDeletedRows) > 0) {
          await appendAudit(tx, { orgId, actor, action: 'security.webhook.removed', target: { type: 'security_alert_settings', id: orgId }, ...requestContext(request), at: deps.clock() });
        }
      });
      return { webhook: { configured: false as const, host: null } };
    });

    app.post(
      '/api/orgs/:orgId/security-alerts/webhook/test',
      { schema: { querystring: NoQuery, params: OrgParams, body: NoBody, response: { 200: AlertTestSchema } }, config: { access: 'settings.manage', rateLimit: 'write' } },
      async (request): Promise<AlertTest> => {
        const orgId = orgOf(request).id;
        actorOf(request);
        const hook = await orgWebhook(deps, orgId);
        if (!hook) throw new HttpProblem(409, 'no alert webhook is set');
        try {
          await postWebhook(hook.url, hook.secret, { text: 'Mowt test alert: this channel receives security alerts for your organisation.', event: { rule: 'test', orgId } }, deps.clock(), { publicOnly: deps.config.env === 'production' });
          return { delivered: true };
        } catch (err) {
          return { delivered: false, error: (err as Error).message.slice(0, 200) };
        }
      },
    );
  };
}
