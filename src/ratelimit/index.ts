// Rate limits on every route: the policy (classes), the counters (memory or Redis) and the request hooks.
import { Redis } from 'ioredis';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createLimiter, type Limiter } from './limiter.js';
import { rateLimitByIp, rateLimitBySubject, type RateLimitHooks } from './plugin.js';
import { mergePolicy, type RateLimitPolicy, type ResolvedLimits } from './policy.js';

export { RATE_LIMITED, rateLimitByIp, rateLimitBySubject } from './plugin.js';
export { DEFAULT_POLICY, isRateLimitSetting, RATE_LIMIT_CLASSES, type RateLimitClass, type RateLimitPolicy, type RateLimitSetting } from './policy.js';

export interface RateLimitOptions {
  /** Redis key prefix (tests use a unique one so runs never share counters). */
  keyPrefix: string;
  /** Per-class overrides of the production policy. */
  policy: Partial<RateLimitPolicy>;
}

export interface RateLimitService {
  limiter: Limiter;
  policy: RateLimitPolicy;
  redis?: Redis;
  /** The two plugins for src/app.ts: by IP first, by subject after authentication. */
  plugins(subjectOf: (request: FastifyRequest) => string | null, onLimited?: RateLimitHooks['onLimited']): { byIp: ReturnType<typeof rateLimitByIp>; bySubject: ReturnType<typeof rateLimitBySubject> };
  close(): Promise<void>;
}

/**
 * Counters in Redis when REDIS_URL is set — shared by every instance — else in this process. No offline queue:
 * while Redis is unreachable each instance counts in memory (the insurance limiter) instead of holding requests.
 */
export async function createRateLimitService(
  base: { redisUrl?: string; logger: Logger },
  overrides: Partial<RateLimitOptions> = {},
): Promise<RateLimitService> {
  let redis: Redis | undefined;
  if (base.redisUrl) {
    redis = new Redis(base.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', (err: Error) => base.logger.warn({ err }, 'redis error; rate limits count in memory meanwhile'));
    await redis.connect().catch((err: unknown) => base.logger.warn({ err }, 'redis unreachable at start; rate limits count in memory until it answers'));
  }
  const limiter = createLimiter({ redis, keyPrefix: overrides.keyPrefix ?? 'mowt_rl' });
  const policy = mergePolicy(overrides.policy);
  return {
    limiter,
    policy,
    redis,
    plugins(subjectOf, onLimited?: (request: FastifyRequest, scope: 'ip' | 'subject', limits: ResolvedLimits) => void) {
      const hooks: RateLimitHooks = { limiter, policy, subjectOf, onLimited };
      return { byIp: rateLimitByIp(hooks), bySubject: rateLimitBySubject(hooks) };
    },
    async close() {
      if (redis && redis.status !== 'end') await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
