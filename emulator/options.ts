// Options of startEmulator, with Stripe's defaults.
import type { FaultConfig } from './api/faults.js';
import type { BusinessSize } from './generator/business.js';
import type { OAuthClient } from './oauth/tokens.js';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: '127.0.0.1' | string;
  business?: BusinessSize;
  seed?: number;
  /** Read requests per second per account; default 100 like Stripe; null turns the limit off. */
  rateLimitPerSecond?: number | null;
  faults?: FaultConfig;
  /** The emulator's clock; history is generated up to this instant. Default: the wall clock. */
  now?: () => Date;
  /** Stripe lists events of the last 30 days only. */
  eventRetentionDays?: number;
  /** The Stripe App's OAuth client. */
  oauth?: Partial<OAuthClient> & { accessTokenTtlSeconds?: number };
  /** When given, only these API keys are valid; otherwise any well-formed sk_test_/rk_test_ key is. */
  apiKeys?: string[];
}

export const DEFAULT_OAUTH_CLIENT: OAuthClient = { clientId: 'ca_mowtEmulatorApp', clientSecret: 'sk_test_mowt_app_secret_emulator' };
