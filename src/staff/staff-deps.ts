// What the staff slice needs, assembled once in src/app.ts. Staff reuse authentication's primitives (bcrypt
// hasher, login throttle, TOTP, password policy) but never its tables: a staff member is not a user and
// belongs to no organisation.
import type { Logger } from 'pino';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import type { Mailer } from '../mail/index.js';
import type { SecurityMonitor } from '../security-events/index.js';

export interface StaffDeps {
  db: Db;
  clock: Clock;
  crypto: FieldCrypto;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  mailer: Mailer;
  logger: Logger;
  monitor: SecurityMonitor;
  /** Public https origin for mailed links. */
  baseUrl: () => string;
}

/** Staff sessions are short: 30 minutes idle, 12 hours in all. */
export const STAFF_IDLE_MS = 30 * 60 * 1000;
export const STAFF_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** The one-time setup link of `mowt staff create`. */
export const STAFF_SETUP_TTL_MS = 24 * 60 * 60 * 1000;
/** The longest an Admin can approve (the promise: at most 72 hours). */
export const MAX_GRANT_HOURS = 72;
