// Sign-up attempts are limited like logins (rate-limiter-flexible, memory or Redis): per IP (no mass
// account creation from one address) and per address (no mail bombing someone through "you already have
// an account" notices). The address is hashed before it becomes a key.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface SignupLimits {
  perIp: number;
  perIpWindowS: number;
  perEmail: number;
  perEmailWindowS: number;
}

export const DEFAULT_SIGNUP_LIMITS: SignupLimits = { perIp: 10, perIpWindowS: 60 * 60, perEmail: 3, perEmailWindowS: 60 * 60 };

export interface SignupThrottle {
  /** Consumes one attempt; the seconds to wait when over a limit, otherwise null. */
  attempt(email: string, ip: string): Promise<number | null>;
}

export function createSignupThrottle(opts: { redis?: Redis; limits?: Partial<SignupLimits> } = {}): SignupThrottle {
  const limits = { ...DEFAULT_SIGNUP_LIMITS, ...opts.limits };
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    return opts.redis ? new RateLimiterRedis({ storeClient: opts.redis, keyPrefix, points, duration, insuranceLimiter: memory }) : memory;
  };
  const byIp = make('mowt_signup_ip', limits.perIp, limits.perIpWindowS);
  const byEmail = make('mowt_signup_email', limits.perEmail, limits.perEmailWindowS);
  return {
    async attempt(email, ip) {
      const digest = crypto.createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex').slice(0, 32);
      try {
        await byIp.consume(ip);
        await byEmail.consume(digest);
        return null;
      } catch (err) {
        if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw err;
      }
    },
  };
}
