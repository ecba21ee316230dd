// The shared services every slice receives from the composition root (src/app.ts). Slices add their
// service here as one field when they arrive, so wiring stays in one place.
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { AuthDeps } from './auth/index.js';
import type { FieldCrypto } from './crypto/index.js';
import type { Mailer } from './mail/index.js';
import type { TeamsDeps } from './teams/index.js';
import type { StripeService } from './stripe/index.js';
import type { AnalyticsService } from './analytics/index.js';
import type { BillingService } from './billing/index.js';
import type { DigestService } from './digest/index.js';
import type { SecurityMonitor } from './security-events/index.js';

export interface Services {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  crypto: FieldCrypto;
  mailer: Mailer;
  auth: AuthDeps;
  teams: TeamsDeps;
  stripe: StripeService;
  analytics: AnalyticsService;
  billing: BillingService;
  digest: DigestService;
  /** Report security-relevant activity: recordTokenUse, recordExport, … (src/security-events). */
  security: SecurityMonitor;
}
