// Every error leaves as application/problem+json with no stack trace, SQL or internals in it.
import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpProblem, problem, type Problem } from './problem.js';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

function validationProblem(err: FastifyError): Problem {
  const errors = (err.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = [base, missing ?? extra].filter(Boolean).join('.') || (err.validationContext ?? 'request');
    const message = extra ? 'is not allowed' : (v.message ?? 'is invalid');
    return { field, message };
  });
  const first = errors[0];
  const where = err.validationContext ?? 'request';
  const detail = first ? `${where}: ${first.field} ${first.message}` : `${where} is invalid`;
  return problem(400, detail, { errors });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    let body: Problem;
    if (err instanceof HttpProblem) {
      body = problem(err.status, err.message, err.extra);
    } else if (err.validation) {
      body = validationProblem(err);
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors (413 body too large, 415, malformed JSON…) carry safe messages.
      body = problem(err.statusCode, err.message);
    } else {
      request.log.error({ err }, 'unhandled error');
      body = problem(500, 'Something went wrong on our side. It has been logged.');
    }
    if (body.status === 429 && err.statusCode === 429) body.detail ??= 'Too many requests';
    void reply.status(body.status).type(PROBLEM_TYPE).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).type(PROBLEM_TYPE).send(problem(404, `No route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
