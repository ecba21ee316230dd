// What the Stripe slice needs, assembled once at the composition root (src/app.ts via createStripeDeps).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { FieldSealer } from '../crypto/field-crypto.js';
import type { Tx } from '../db/tenant.js';
import type { StripeReader } from './client.js';
import type { StripeOAuthClient } from './oauth-client.js';
import type { RateLimiters } from './rate-limiter.js';
import type { RetryPolicy } from './retry-policy.js';

/** Where an encrypted value lives, and under which key ('stripe' for tokens/keys, 'data' for synced data). */
export interface FieldPlace {
  table: string;
  column: string;
  rowId: string;
  purpose?: 'data' | 'stripe';
}

/** The part of src/crypto's FieldCrypto this slice uses (it satisfies this interface as is). */
export interface StripeCrypto {
  encryptField(orgId: string | null, ctx: FieldPlace, plaintext: string, tx?: Tx): Promise<string>;
  fieldSealer(orgId: string | null, purpose?: 'data', tx?: Tx): Promise<FieldSealer>;
  decryptField(orgId: string | null, ctx: FieldPlace, ciphertext: string, tx?: Tx): Promise<string>;
}

export interface StripeDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  crypto: StripeCrypto;
  /** MOWT_STRIPE_API_BASE: the emulator in development and tests; undefined = api.stripe.com. */
  apiBase?: string;
  /** Public https origin of Mowt, for the OAuth redirect URI. */
  baseUrl: () => string;
  /** The Stripe App's OAuth client; undefined when no App credentials are configured. */
  oauth?: StripeOAuthClient;
  /** Signing secret of the app-wide webhook endpoint (Stripe App events). */
  appWebhookSecret?: string;
  limiters: RateLimiters;
  retry?: RetryPolicy;
  /** Builds a reader for a token (tests substitute observers). */
  readerFor(token: string, connectionId: string): StripeReader;
  /** Asks for a sync of the connection (queued when a job queue runs, else in-process). */
  requestSync(orgId: string, connectionId: string): void;
  /** Told after synced data changed (src/analytics keeps its snapshot fresh from it); must not throw. */
  onChange?: (change: StripeChange) => void;
}

/**
 * A change to synced data: one object applied from an event, a backfill pass that stored objects, or a
 * connection deleted with everything synced through it.
 */
export type StripeChange =
  | { kind: 'object'; orgId: string; connectionId: string; objectName: string; object: Record<string, unknown> }
  | { kind: 'backfilled'; orgId: string; connectionId: string }
  | { kind: 'disconnected'; orgId: string; connectionId: string };

export const tokenPlace = (connectionId: string, column: 'token_encrypted' | 'refresh_token_encrypted' | 'webhook_secret_encrypted'): FieldPlace => ({
  table: 'stripe_connections', column, rowId: connectionId, purpose: 'stripe',
});
