// POST /webhooks/stripe (Stripe App events) and POST /webhooks/stripe/:connection (restricted-key
// connections). Encapsulated plugin: its JSON parser keeps the raw bytes, which the signature covers, and
// applies to these two routes only. They authenticate by signature, so no session and no CSRF token.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { APPLY_OUTCOMES } from './apply-event.js';
import { handleWebhook } from './handle-webhook.js';
import type { StripeDeps } from './stripe-deps.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
// The body is the raw Buffer; the signature check, not a schema, decides whether it is acceptable.
const RawBody = Type.Unsafe<Buffer>({});
/** What Stripe is told: received, and what became of the event for each connection it reached. */
const Received = Type.Object({
  received: Type.Literal(true),
  outcomes: Type.Array(Type.Enum(APPLY_OUTCOMES)),
});

export function stripeWebhookRoutes(deps: StripeDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
    const signature = (h: unknown): string | undefined => (typeof h === 'string' ? h : undefined);

    app.post('/webhooks/stripe', { schema: { querystring: NoQuery, body: RawBody, response: { 200: Received } }, config: { access: 'public', rateLimit: 'webhook', csrf: false } },
      async (request) => handleWebhook(deps, { rawBody: request.body, signature: signature(request.headers['stripe-signature']) }));

    app.post('/webhooks/stripe/:connection', {
      schema: { params: Type.Object({ connection: Type.String({ format: 'uuid' }) }), querystring: NoQuery, body: RawBody, response: { 200: Received } },
      config: { access: 'public', rateLimit: 'webhook', csrf: false },
    }, async (request) => handleWebhook(deps, {
      rawBody: request.body, signature: signature(request.headers['stripe-signature']), connectionId: request.params.connection,
    }));
  };
}
