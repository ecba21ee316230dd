// Billing routes. Admins only (billing.manage), except the plan status every member's layout shows
// (days left, past-due banner) and the signed webhook from Mowt's own Stripe account.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requestMeta, requireAuth } from '../auth/auth-plugin.js';
import { orgOf } from '../teams/permission-hook.js';
import { BillingRedirectSchema, BillingStatusSchema, BillingSummarySchema, BillingWebhookAnswerSchema } from './billing-schemas.js';
import type { BillingService } from './billing-service.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const NoBody = Type.Object({}, { additionalProperties: false });
const CheckoutBody = Type.Object(
  { planId: Type.String({ pattern: '^[a-z][a-z0-9_-]{1,40}$' }), interval: Type.Union([Type.Literal('month'), Type.Literal('year')]) },
  { additionalProperties: false },
);
const RawBody = Type.Unsafe<Buffer>({});

export function billingRoutes(billing: BillingService) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/api/orgs/:orgId/billing', { schema: { params: OrgParams, querystring: NoQuery, response: { 200: BillingSummarySchema } }, config: { access: 'billing.manage', rateLimit: 'read' } }, async (request) =>
      billing.summary(orgOf(request).id));

    app.get('/api/orgs/:orgId/billing/status', { schema: { params: OrgParams, querystring: NoQuery, response: { 200: BillingStatusSchema } }, config: { access: 'org.read', rateLimit: 'read' } }, async (request) => {
      const s = await billing.summary(orgOf(request).id);
      return { managed: s.managed, state: s.state, access: s.access, trialDaysLeft: s.trialDaysLeft, trialEndsAt: s.trialEndsAt, graceEndsAt: s.graceEndsAt, accessEndsAt: s.accessEndsAt, upgradeRequired: s.upgradeRequired };
    });

    app.post('/api/orgs/:orgId/billing/checkout', { schema: { params: OrgParams, querystring: NoQuery, body: CheckoutBody, response: { 200: BillingRedirectSchema } }, config: { access: 'billing.manage', rateLimit: 'write' } }, async (request) =>
      billing.startCheckout(orgOf(request).id, requireAuth(request).userId, request.body, requestMeta(request)));

    app.post('/api/orgs/:orgId/billing/portal', { schema: { params: OrgParams, querystring: NoQuery, body: NoBody, response: { 200: BillingRedirectSchema } }, config: { access: 'billing.manage', rateLimit: 'write' } }, async (request) =>
      billing.openPortal(orgOf(request).id, requireAuth(request).userId, requestMeta(request)));

    // Encapsulated: the raw-body parser (the signature covers the exact bytes) applies to the webhook only.
    await app.register(async (hooks) => {
      hooks.removeAllContentTypeParsers();
      hooks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
      hooks.withTypeProvider<TypeBoxTypeProvider>().post('/api/billing/webhook', { schema: { querystring: NoQuery, body: RawBody, response: { 200: BillingWebhookAnswerSchema } }, config: { access: 'public', rateLimit: 'webhook', csrf: false } }, async (request) => {
        const sig = request.headers['stripe-signature'];
        return billing.handleWebhook(request.body, typeof sig === 'string' ? sig : undefined);
      });
    });
  };
}
