// The app's security monitor: window counters in Redis when REDIS_URL is set (every instance counts
// together), in memory otherwise.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import type { Mailer } from '../mail/index.js';
import { createSecurityMonitor, type SecurityMonitor } from './monitor.js';
import { memoryWindowStore, redisWindowStore, type WindowStore } from './window-store.js';

export function createAppSecurityMonitor(
  parts: { config: Config; db: Db; logger: Logger; clock: Clock; crypto: FieldCrypto; mailer: Mailer },
  overrides: { windows?: WindowStore } = {},
): { monitor: SecurityMonitor; close(): Promise<void> } {
  const { config } = parts;
  const redis = !overrides.windows && config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true }) : null;
  redis?.on('error', (err) => parts.logger.warn({ err }, 'security monitor: Redis error'));
  const windows = overrides.windows ?? (redis ? redisWindowStore(redis) : memoryWindowStore());
  const monitor = createSecurityMonitor({ ...parts, windows, baseUrl: () => config.baseUrl, oncall: config.oncall, customerWebhooksPublicOnly: config.env === 'production' });
  return {
    monitor,
    async close() {
      await monitor.settled();
      if (redis) await redis.quit().catch(() => undefined);
    },
  };
}
