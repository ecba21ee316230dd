// Counting with rate-limiter-flexible, in the style of the login throttle (src/auth/login-throttle.ts):
// fixed windows per key, in Redis when one is given (every instance shares the counters) with an in-memory
// insurance limiter that keeps counting while Redis is unreachable, otherwise in memory.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Bucket, BucketState } from './policy.js';

export interface ConsumeResult extends BucketState {
  allowed: boolean;
}

export interface Limiter {
  /** Spends one point of `bucket` for `key`; `local` forces this process's memory (health probes). */
  consume(name: string, bucket: Bucket, key: string, opts?: { local?: boolean }): Promise<ConsumeResult>;
}

export function createLimiter(opts: { redis?: Redis; keyPrefix: string }): Limiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (name: string, bucket: Bucket, local: boolean): RateLimiterAbstract => {
    const id = `${name}:${bucket.points}:${bucket.windowS}:${local ? 'l' : 'r'}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const keyPrefix = `${opts.keyPrefix}:${name}:${bucket.points}:${bucket.windowS}`;
      const memory = new RateLimiterMemory({ keyPrefix, points: bucket.points, duration: bucket.windowS });
      limiter =
        opts.redis && !local
          ? new RateLimiterRedis({ storeClient: opts.redis, keyPrefix, points: bucket.points, duration: bucket.windowS, insuranceLimiter: memory })
          : memory;
      limiters.set(id, limiter);
    }
    return limiter;
  };

  return {
    async consume(name, bucket, key, { local = false } = {}) {
      const limiter = limiterFor(name, bucket, local);
      let res: RateLimiterRes;
      let allowed = true;
      try {
        res = await limiter.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        res = err;
        allowed = false;
      }
      return {
        allowed,
        limit: bucket.points,
        remaining: Math.max(0, res.remainingPoints),
        resetS: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
        windowS: bucket.windowS,
      };
    },
  };
}
