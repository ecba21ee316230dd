// POST /api/auth/signup (public, rate-limited, CSRF-protected like login) and GET /api/auth/signup (is it
// open here?, for the page).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requestMeta } from '../auth/auth-plugin.js';
import { MAX_PASSWORD_LENGTH } from '../auth/password-policy.js';
import { orgOf } from '../teams/permission-hook.js';
import { requireAuth } from '../auth/auth-plugin.js';
import type { StripeService } from '../stripe/index.js';
import { connectDemoData, demoAvailable } from './connect-demo.js';
import { signUp, type SignUpDeps } from './sign-up.js';
import { DemoConnectedSchema, SignupAcceptedSchema, SignupInfoSchema } from './signup-schemas.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const SignUpBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
    orgName: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const NoBody = Type.Object({}, { additionalProperties: false });

export function signupRoutes(deps: SignUpDeps & { stripe: StripeService }) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/auth/signup', { schema: { querystring: NoQuery, response: { 200: SignupInfoSchema } }, config: { access: 'public', rateLimit: 'read' } }, async () => ({
      open: deps.auth.config.signup === 'open',
      trialDays: deps.billing.catalog.trialDays,
      demoData: demoAvailable(deps.auth.config, deps.stripe),
    }));
    // Onboarding: "explore the demo data" instead of connecting Stripe.
    app.post('/api/orgs/:orgId/onboarding/demo', { schema: { params: OrgParams, querystring: NoQuery, body: NoBody, response: { 200: DemoConnectedSchema } }, config: { access: 'stripe.manage', rateLimit: 'write' } }, async (request) =>
      connectDemoData({ config: deps.auth.config, stripe: deps.stripe }, orgOf(request).id, requireAuth(request).userId));
    app.post('/api/auth/signup', { schema: { querystring: NoQuery, body: SignUpBody, response: { 202: SignupAcceptedSchema } }, config: { access: 'public', rateLimit: 'auth' } }, async (request, reply) => {
      const result = await signUp(deps, request.body, requestMeta(request));
      return reply.code(202).send(result);
    });
  };
}
