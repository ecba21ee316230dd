// Shared set-up for the Stripe slice's tests: a migrated database (PGlite or PostgreSQL), real field
// encryption with a temporary keyring, an organisation with keys, and the emulator.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.js';
import { createFieldCrypto } from '../crypto/field-crypto.js';
import { createKeyring } from '../crypto/keyring.js';
import type { DbKind } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import { createLogger } from '../http/logger.js';
import { createStripeReader, type StripeReader } from './client.js';
import { createStripeOAuthClient } from './oauth-client.js';
import { RateLimiters } from './rate-limiter.js';
import type { StripeDeps } from './stripe-deps.js';

export const FIXED_NOW = new Date('2026-11-01T12:00:00Z');
export const FAST_RETRY = { maxRetries: 12, baseDelayMs: 5, maxDelayMs: 100 };

export interface StripeTestEnv {
  t: TestDatabase;
  deps: StripeDeps;
  emulator: RunningEmulator;
  orgId: string;
  userId: string;
  syncRequests: string[];
  dispose(): Promise<void>;
}

export async function stripeTestEnv(kind: DbKind, emulatorOpts: EmulatorOptions = {}, extra: Partial<StripeDeps> = {}, opts: { keyDir?: string } = {}): Promise<StripeTestEnv> {
  const t = await createTestDatabase(kind);
  // A caller-owned keyring folder lets another process (a CLI child) decrypt with the same keys.
  const keyDir = opts.keyDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-stripe-keys-'));
  const fieldCrypto = await createFieldCrypto({ db: t.db, kms: createKeyring({ dir: keyDir }) });
  const emulator = await startEmulator({ business: 'small', seed: 7, now: () => FIXED_NOW, rateLimitPerSecond: null, ...emulatorOpts });
  const limiters = new RateLimiters(1000);
  const syncRequests: string[] = [];
  const deps: StripeDeps = {
    db: t.db,
    clock: () => new Date(),
    logger: createLogger({ level: 'silent' }),
    crypto: fieldCrypto,
    apiBase: emulator.url,
    baseUrl: () => 'https://mowt.test',
    oauth: createStripeOAuthClient(emulator.oauthClient, emulator.url),
    appWebhookSecret: 'whsec_app_test_secret',
    limiters,
    retry: FAST_RETRY,
    readerFor: (token: string, connectionId: string): StripeReader =>
      createStripeReader({ apiBase: emulator.url, token, limiter: limiters.for(connectionId), retry: FAST_RETRY }),
    requestSync: (_orgId: string, connectionId: string) => void syncRequests.push(connectionId),
    ...extra,
  };
  const orgId = crypto.randomUUID();
  await withOrg(t.db, orgId, (tx) => tx.insertInto('organisations').values({ id: orgId, name: 'Test org' }).execute());
  await fieldCrypto.createOrgKey(orgId);
  return {
    t, deps, emulator, orgId, userId: crypto.randomUUID(), syncRequests,
    async dispose() {
      await emulator.close();
      await t.dispose();
      if (!opts.keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

export const SYNCED_TABLES = [
  'stripe_customers', 'stripe_products', 'stripe_prices', 'stripe_coupons', 'stripe_subscriptions', 'stripe_subscription_items',
  'stripe_invoices', 'stripe_invoice_lines', 'stripe_charges', 'stripe_refunds', 'stripe_disputes', 'stripe_balance_transactions', 'stripe_events',
] as const;

const VOLATILE = new Set(['synced_at', 'connection_id', 'org_id']);

/**
 * A canonical, decrypted dump of everything synced for an organisation: rows sorted by id, ciphertexts
 * replaced by their plaintext, our own bookkeeping times dropped. Two syncs of the same data must match.
 */
export async function canonicalDump(env: Pick<StripeTestEnv, 't' | 'deps'>, orgId: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of SYNCED_TABLES) {
    const rows = await withOrg(env.t.db, orgId, async (tx) => {
      const { rows } = await sql<{ row: Record<string, unknown> }>`select to_jsonb(t) as row from ${sql.table(table)} t order by t.id`.execute(tx);
      const result: Record<string, unknown>[] = [];
      for (const { row } of rows) {
        const clean: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) {
          if (VOLATILE.has(k)) continue;
          clean[k] = k.endsWith('_encrypted') && typeof v === 'string'
            ? await env.deps.crypto.decryptField(orgId, { table, column: k, rowId: String(row['id']) }, v, tx)
            : v;
        }
        result.push(clean);
      }
      return result;
    });
    out[table] = rows;
  }
  return out;
}

export function checksum(dump: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(dump)).digest('hex');
}
