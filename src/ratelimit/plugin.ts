// The two request hooks that enforce config.rateLimit on every route (fastify-plugin: app-wide):
//   1. by IP, the first onRequest hook of all — before the session is looked up, so a flood costs no
//      database work;
//   2. by subject (signed-in user or API token), registered after the authentication hooks that identify it.
// Over a limit → 429 problem+json with Retry-After; every answer carries RateLimit-Limit/-Remaining/-Reset
// and RateLimit-Policy for the bucket closest to running out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../http/problem.js';
import type { Limiter } from './limiter.js';
import { rateLimitHeaders, resolveLimits, type BucketState, type RateLimitPolicy, type RateLimitSetting, type ResolvedLimits } from './policy.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's rate-limit class or explicit limits (required: see src/http/route-config.ts). */
    rateLimit?: RateLimitSetting;
  }
  interface FastifyRequest {
    rateLimit: { limits: ResolvedLimits; states: BucketState[] } | null;
  }
}

export const RATE_LIMITED = 'rate_limited';

export interface RateLimitHooks {
  limiter: Limiter;
  policy: RateLimitPolicy;
  /** The caller's stable id once authenticated ('user:…', 'token:…'), or null for anonymous requests. */
  subjectOf: (request: FastifyRequest) => string | null;
  /** Told of each refusal (metrics, anomaly rules). */
  onLimited?: (request: FastifyRequest, scope: 'ip' | 'subject', limits: ResolvedLimits) => void;
}

function applyHeaders(reply: FastifyReply, states: BucketState[]): void {
  for (const [k, v] of Object.entries(rateLimitHeaders(states))) reply.header(k, v);
}

function refuse(reply: FastifyReply, state: BucketState, scope: 'ip' | 'subject'): never {
  reply.header('retry-after', String(state.resetS));
  const who = scope === 'ip' ? 'from your address' : 'for your account';
  throw new HttpProblem(429, `too many requests ${who}; retry in ${state.resetS} s`, { code: RATE_LIMITED });
}

async function registerIpHook(app: FastifyInstance, deps: RateLimitHooks): Promise<void> {
  app.decorateRequest('rateLimit', null);
  app.addHook('onRequest', async (request, reply) => {
    const limits = resolveLimits(deps.policy, request.routeOptions.config?.rateLimit, request);
    const state = await deps.limiter.consume(`${limits.name}-ip`, limits.ip, request.ip, { local: limits.local });
    request.rateLimit = { limits, states: [state] };
    applyHeaders(reply, request.rateLimit.states);
    if (!state.allowed) {
      deps.onLimited?.(request, 'ip', limits);
      refuse(reply, state, 'ip');
    }
  });
}

async function registerSubjectHook(app: FastifyInstance, deps: RateLimitHooks): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    const current = request.rateLimit;
    if (!current?.limits.subject) return;
    const subject = deps.subjectOf(request);
    if (!subject) return;
    const state = await deps.limiter.consume(`${current.limits.name}-subject`, current.limits.subject, subject, { local: current.limits.local });
    current.states.push(state);
    applyHeaders(reply, current.states);
    if (!state.allowed) {
      deps.onLimited?.(request, 'subject', current.limits);
      refuse(reply, state, 'subject');
    }
  });
}

/** First in the plugin list of src/app.ts. */
export function rateLimitByIp(deps: RateLimitHooks) {
  return fp(async (app: FastifyInstance) => registerIpHook(app, deps), { name: 'mowt-rate-limit-ip', fastify: '5.x' });
}

/** After the plugins that authenticate sessions and API tokens. */
export function rateLimitBySubject(deps: RateLimitHooks) {
  return fp(async (app: FastifyInstance) => registerSubjectHook(app, deps), { name: 'mowt-rate-limit-subject', fastify: '5.x', dependencies: ['mowt-rate-limit-ip'] });
}
