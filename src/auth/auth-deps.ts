// What the authentication operations need, assembled once in src/app.ts (see createAuthDeps there).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Mailer } from '../mail/mailer.js';
import type { AuthAudit } from './auth-audit.js';
import type { FieldCrypto } from './field-crypto.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import type { BreachCheck } from './password-policy.js';
import type { UserOrg } from './auth-schemas.js';

/** An organisation the user belongs to (GET /api/me), as declared in auth-schemas.ts. */
export type { UserOrg };

export interface AuthDeps {
  db: Db;
  clock: Clock;
  config: Config;
  logger: Logger;
  hasher: PasswordHasher;
  crypto: FieldCrypto;
  mailer: Mailer;
  audit: AuthAudit;
  throttle: LoginThrottle;
  /** Optional online breach check (MOWT_BREACH_CHECK); the offline dictionaries always apply. */
  breachCheck?: BreachCheck;
  /** Waits before answering a login from an (account, IP) that keeps failing. */
  sleep(ms: number): Promise<void>;
  /** The organisations a user belongs to, with their role (from the teams slice). */
  listOrgs(db: Db, userId: string): Promise<UserOrg[]>;
}

/** Who is asking: recorded in audit entries and on sessions. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
