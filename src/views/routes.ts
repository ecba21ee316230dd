// /api/orgs/:orgId/views and /api/orgs/:orgId/annotations. Thin: TypeBox validates, the permission hook has
// placed request.org (dashboards.read to read; views.manage / annotations.manage to write), one operation
// does the work and audits it.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requestContext } from '../audit/index.js';
import { HttpProblem } from '../http/problem.js';
import { orgOf } from '../teams/permission-hook.js';
import { createAnnotation, deleteAnnotation, listAnnotations, updateAnnotation } from './annotations.js';
import { createView, deleteView, listViews, updateView } from './saved-views.js';
import { AnnotationLabel, AnnotationNote, IsoDate, ViewFiltersSchema, ViewName } from './view-definition.js';
import type { Actor, ViewsDeps } from './views-deps.js';
import { AnnotationAnswerSchema, AnnotationListSchema, ViewAnswerSchema, ViewListSchema } from './views-schemas.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ orgId: Uuid }, { additionalProperties: false });
const ViewParams = Type.Object({ orgId: Uuid, viewId: Uuid }, { additionalProperties: false });
const AnnotationParams = Type.Object({ orgId: Uuid, annotationId: Uuid }, { additionalProperties: false });

function actorOf(request: FastifyRequest): Actor {
  if (!request.auth) throw new HttpProblem(401, 'sign in first');
  return { userId: request.auth.userId, ...requestContext(request) };
}

export function viewsRoutes(deps: ViewsDeps) {
  return async function register(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    // Saved views --------------------------------------------------------------------------------------
    app.get('/api/orgs/:orgId/views', { schema: { params: OrgParams, querystring: NoQuery, response: { 200: ViewListSchema } }, config: { access: 'dashboards.read', rateLimit: 'read' } }, async (request) => ({
      views: await listViews(deps, orgOf(request).id),
    }));

    app.post(
      '/api/orgs/:orgId/views',
      {
        schema: { params: OrgParams, querystring: NoQuery, body: Type.Object({ name: ViewName, filters: ViewFiltersSchema }, { additionalProperties: false }), response: { 201: ViewAnswerSchema } },
        config: { access: 'views.manage', rateLimit: 'write' },
      },
      async (request, reply) => reply.code(201).send({ view: await createView(deps, orgOf(request).id, actorOf(request), request.body) }),
    );

    app.patch(
      '/api/orgs/:orgId/views/:viewId',
      {
        schema: {
          params: ViewParams,
          querystring: NoQuery,
          body: Type.Object({ name: Type.Optional(ViewName), filters: Type.Optional(ViewFiltersSchema) }, { additionalProperties: false, minProperties: 1 }),
          response: { 200: ViewAnswerSchema },
        },
        config: { access: 'views.manage', rateLimit: 'write' },
      },
      async (request) => ({ view: await updateView(deps, orgOf(request).id, actorOf(request), request.params.viewId, request.body) }),
    );

    app.delete('/api/orgs/:orgId/views/:viewId', { schema: { params: ViewParams, querystring: NoQuery }, config: { access: 'views.manage', rateLimit: 'write', noResponseSchema: '204 No Content' } }, async (request, reply) => {
      await deleteView(deps, orgOf(request).id, actorOf(request), request.params.viewId);
      return reply.code(204).send();
    });

    // Annotations --------------------------------------------------------------------------------------
    app.get(
      '/api/orgs/:orgId/annotations',
      {
        schema: { params: OrgParams, querystring: Type.Object({ from: Type.Optional(IsoDate), to: Type.Optional(IsoDate) }, { additionalProperties: false }), response: { 200: AnnotationListSchema } },
        config: { access: 'dashboards.read', rateLimit: 'read' },
      },
      async (request) => ({ annotations: await listAnnotations(deps, orgOf(request).id, request.query) }),
    );

    app.post(
      '/api/orgs/:orgId/annotations',
      {
        schema: {
          params: OrgParams,
          querystring: NoQuery,
          body: Type.Object({ date: IsoDate, label: AnnotationLabel, note: Type.Optional(AnnotationNote) }, { additionalProperties: false }),
          response: { 201: AnnotationAnswerSchema },
        },
        config: { access: 'annotations.manage', rateLimit: 'write' },
      },
      async (request, reply) => reply.code(201).send({ annotation: await createAnnotation(deps, orgOf(request).id, actorOf(request), request.body) }),
    );

    app.patch(
      '/api/orgs/:orgId/annotations/:annotationId',
      {
        schema: {
          params: AnnotationParams,
          querystring: NoQuery,
          body: Type.Object(
            { date: Type.Optional(IsoDate), label: Type.Optional(AnnotationLabel), note: Type.Optional(AnnotationNote) },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: AnnotationAnswerSchema },
        },
        config: { access: 'annotations.manage', rateLimit: 'write' },
      },
      async (request) => ({ annotation: await updateAnnotation(deps, orgOf(request).id, actorOf(request), request.params.annotationId, request.body) }),
    );

    app.delete(
      '/api/orgs/:orgId/annotations/:annotationId',
      { schema: { params: AnnotationParams, querystring: NoQuery }, config: { access: 'annotations.manage', rateLimit: 'write', noResponseSchema: '204 No Content' } },
      async (request, reply) => {
        await deleteAnnotation(deps, orgOf(request).id, actorOf(request), request.params.annotationId);
        return reply.code(204).send();
      },
    );
  };
}
