// Login throttling with rate-limiter-flexible (see docs/decisions/022-login-throttling.md):
// - failures per (account, IP): 10 within 15 minutes block that account from that IP for 15 minutes, so an
//   attacker elsewhere cannot lock the real owner out;
// - failures per IP across all accounts: stops one address spraying many accounts;
// - growing delays once an (account, IP) pair has failed a few times.
// Counters live in memory (one process) or in Redis when REDIS_URL is set (shared by every instance).
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { normaliseEmail } from './field-crypto.js';

export interface ThrottleLimits {
  accountIpFailures: number;
  accountIpWindowS: number;
  ipFailures: number;
  ipWindowS: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  accountIpFailures: 10,
  accountIpWindowS: 15 * 60,
  ipFailures: 50,
  ipWindowS: 60 * 60,
};

export type ThrottleVerdict =
  | { blocked: false; delayMs: number }
  | { blocked: true; retryAfterSeconds: number; scope: 'account-ip' | 'ip' };

export interface LoginThrottle {
  /** Before checking a password: is this (account, IP) or IP blocked, and how long to wait first. */
  check(email: string, ip: string): Promise<ThrottleVerdict>;
  recordFailure(email: string, ip: string): Promise<void>;
  /** A correct password clears the (account, IP) failures; the IP's spraying count stays. */
  recordSuccess(email: string, ip: string): Promise<void>;
  /** Whether another password-reset mail may go out (3 per address and 20 per IP an hour): no mail bombing. */
  allowResetMail(email: string, ip: string): Promise<boolean>;
}

/** No delay for the first 3 failures, then 250 ms doubling per failure, at most 4 s. */
export function failureDelayMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(250 * 2 ** (failures - 3), 4000);
}

function accountKey(email: string, ip: string): string {
  // The address never reaches Redis in clear. Normalised exactly as the account lookup does (NFC too): any
  // spelling that signs in to an account must count against that account's budget.
  const digest = crypto.createHash('sha256').update(normaliseEmail(email), 'utf8').digest('hex').slice(0, 32);
  return `${digest}:${ip}`;
}

function consumed(res: RateLimiterRes | null): { points: number; msBeforeNext: number } {
  return { points: res?.consumedPoints ?? 0, msBeforeNext: res?.msBeforeNext ?? 0 };
}

export function createLoginThrottle(opts: { redis?: Redis; limits?: Partial<ThrottleLimits>; keyPrefix?: string } = {}): LoginThrottle {
  const limits = { ...DEFAULT_THROTTLE_LIMITS, ...opts.limits };
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration, blockDuration: duration });
    // While Redis is unreachable, each instance keeps counting in memory rather than failing sign-ins.
    return opts.redis
      ? new RateLimiterRedis({ storeClient: opts.redis, keyPrefix, points, duration, blockDuration: duration, insuranceLimiter: memory })
      : memory;
  };
  const prefix = opts.keyPrefix ?? 'mowt_login';
  const byAccountIp = make(`${prefix}_acct_ip`, limits.accountIpFailures, limits.accountIpWindowS);
  const byIp = make(`${prefix}_ip`, limits.ipFailures, limits.ipWindowS);
  const resetByAccount = make(`${prefix}_reset_acct`, 3, 60 * 60);
  const resetByIp = make(`${prefix}_reset_ip`, 20, 60 * 60);

  const swallowLimit = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      // A rejection with RateLimiterRes means "now over the limit": the next check answers 429.
      if (!(err instanceof RateLimiterRes)) throw err;
    }
  };

  return {
    async check(email, ip) {
      const acct = consumed(await byAccountIp.get(accountKey(email, ip)));
      if (acct.points >= limits.accountIpFailures) {
        return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(acct.msBeforeNext / 1000)), scope: 'account-ip' };
      }
      const perIp = consumed(await byIp.get(ip));
      if (perIp.points >= limits.ipFailures) {
        return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(perIp.msBeforeNext / 1000)), scope: 'ip' };
      }
      return { blocked: false, delayMs: failureDelayMs(acct.points) };
    },
    async recordFailure(email, ip) {
      await swallowLimit(byAccountIp.consume(accountKey(email, ip)));
      await swallowLimit(byIp.consume(ip));
    },
    async recordSuccess(email, ip) {
      await byAccountIp.delete(accountKey(email, ip));
    },
    async allowResetMail(email, ip) {
      try {
        await resetByIp.consume(ip);
        await resetByAccount.consume(accountKey(email, ''));
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },
  };
}
