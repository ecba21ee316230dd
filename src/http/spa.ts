// Serves the built React app: real files from web/dist, and index.html for client-side routes.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { HttpProblem } from './problem.js';

const AnyQuery = Type.Record(Type.String(), Type.String({ maxLength: 2048 }));

export function spaRoutes(distDir: string) {
  return async function register(app: FastifyInstance): Promise<void> {
    const hasBuild = fs.existsSync(path.join(distDir, 'index.html'));
    if (hasBuild) await app.register(fastifyStatic, { root: distDir, serve: false, index: false, cacheControl: false });

    app.get(
      '/*',
      {
        schema: { params: Type.Object({ '*': Type.String({ maxLength: 1024 }) }), querystring: AnyQuery },
        config: { access: 'public', rateLimit: 'static', noResponseSchema: 'the web app\'s files' },
      },
      async (request, reply) => {
        const rest = (request.params as { '*': string })['*'];
        // API and well-known paths never fall back to the app shell: unknown ones are real 404s.
        if (rest.startsWith('api/') || rest === 'api' || rest.startsWith('webhooks/') || rest.startsWith('.well-known/')) {
          throw new HttpProblem(404, `No route for ${request.method} /${rest}`);
        }
        if (!hasBuild) throw new HttpProblem(503, 'The web app has not been built: run `npm run build`.');
        const file = path.normalize(rest);
        if (rest && !file.startsWith('..') && fs.existsSync(path.join(distDir, file)) && fs.statSync(path.join(distDir, file)).isFile()) {
          const immutable = file.startsWith(`assets${path.sep}`);
          reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
          return reply.sendFile(file);
        }
        reply.header('cache-control', 'no-cache');
        return reply.type('text/html; charset=utf-8').sendFile('index.html');
      },
    );
  };
}
