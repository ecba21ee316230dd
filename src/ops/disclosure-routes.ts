// Public disclosure endpoints: security.txt, the policy it links to, and the acknowledgements (JSON for the
// web app's /security/acknowledgements page). Cheap, static, rate-limited like the web app's files.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../clock.js';
import { ACKNOWLEDGEMENTS, AcknowledgementsViewSchema, type Acknowledgement } from './acknowledgements.js';
import { DISCLOSURE_POLICY } from './disclosure-policy.js';
import { securityTxt } from './security-txt.js';

const NoQuery = Type.Object({}, { additionalProperties: false });

export function disclosureRoutes(deps: { contact: string; baseUrl: () => string; clock: Clock; acknowledgements?: readonly Acknowledgement[] }) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const text = (reply: { type(t: string): unknown; header(k: string, v: string): unknown }) => {
      reply.type('text/plain; charset=utf-8');
      reply.header('cache-control', 'public, max-age=3600');
    };
    app.get('/.well-known/security.txt', { schema: { querystring: NoQuery }, config: { access: 'public', rateLimit: 'static', noResponseSchema: 'text/plain' } }, async (_request, reply) => {
      text(reply);
      return securityTxt({ contact: deps.contact, baseUrl: deps.baseUrl(), now: deps.clock() });
    });
    app.get('/security/policy.txt', { schema: { querystring: NoQuery }, config: { access: 'public', rateLimit: 'static', noResponseSchema: 'text/plain' } }, async (_request, reply) => {
      text(reply);
      return DISCLOSURE_POLICY;
    });
    app.get('/api/security/acknowledgements', { schema: { querystring: NoQuery, response: { 200: AcknowledgementsViewSchema } }, config: { access: 'public', rateLimit: 'read' } }, async () => ({
      acknowledgements: [...(deps.acknowledgements ?? ACKNOWLEDGEMENTS)].sort((a, b) => b.month.localeCompare(a.month)),
      policy: '/security/policy.txt',
      contact: deps.contact,
    }));
  };
}
