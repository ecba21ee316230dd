// Assembles the authentication dependencies from configuration: bcrypt at cost 12, login throttling in
// memory or in Redis (REDIS_URL), the optional breach check, real sleeps. Tests replace parts.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Mailer } from '../mail/mailer.js';
import type { AuthAudit } from './auth-audit.js';
import { sleep, type AuthDeps, type UserOrg } from './auth-deps.js';
import { rangeBreachCheck } from './breach-check.js';
import type { FieldCrypto } from './field-crypto.js';
import { createLoginThrottle } from './login-throttle.js';
import { bcryptHasher } from './password-hasher.js';

export interface AuthParts {
  crypto: FieldCrypto;
  mailer: Mailer;
  audit: AuthAudit;
  listOrgs: (db: Db, userId: string) => Promise<UserOrg[]>;
}

/**
 * The shared counter store. No offline queue: a command while Redis is unreachable (or still connecting at
 * start-up) fails at once and the in-memory insurance limiter answers, instead of holding a sign-in.
 */
function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (err: Error) => logger.warn({ err }, 'redis error; login throttling counts in memory meanwhile'));
  return redis;
}

export function createAuthDeps(
  base: { config: Config; db: Db; logger: Logger; clock: Clock },
  parts: AuthParts,
  overrides: Partial<AuthDeps> = {},
): AuthDeps & { close(): Promise<void>; redis?: Redis } {
  const redis = overrides.throttle || !base.config.redisUrl ? undefined : connectRedis(base.config.redisUrl, base.logger);
  const deps: AuthDeps = {
    ...base,
    ...parts,
    hasher: bcryptHasher(),
    throttle: createLoginThrottle({ redis }),
    breachCheck: base.config.breachCheck ? rangeBreachCheck({ logger: base.logger }) : undefined,
    sleep,
    ...overrides,
  };
  return Object.assign(deps, {
    redis,
    async close() {
      if (redis) await redis.quit();
    },
  });
}
