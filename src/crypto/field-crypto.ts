// The service other slices use: encrypt/decrypt one field bound to its organisation, table, column and row;
// blind indexes for equality lookups; per-organisation key creation and destruction.
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Tx } from '../db/tenant.js';
import { open, seal } from './aes-gcm.js';
import { assertFieldContext, fieldAssociatedData, type FieldContext } from './associated-data.js';
import { computeBlindIndex, type BlindIndexKind } from './blind-index.js';
import { formatCiphertext, parseCiphertext } from './ciphertext-format.js';
import { createDataKeys, type ActiveKey, type DataKeys, type KeyCacheOptions } from './data-keys.js';
import { DecryptionError } from './errors.js';
import type { KeyEventListener } from './key-events.js';
import { SYSTEM_SCOPE, scopeOf, type FieldPurpose, type KeyPurpose, type Scope } from './key-purpose.js';
import type { Kms } from './kms.js';

export interface FieldCryptoOptions {
  db: Db;
  kms: Kms;
  clock?: Clock;
  /** Key lifecycle events after commit (they are also written to crypto_key_events). */
  onEvent?: KeyEventListener;
  cache?: KeyCacheOptions;
}

/** Where a value lives, plus the key purpose: 'data' (default) or 'stripe' for Stripe tokens and keys. */
export interface EncryptContext extends FieldContext {
  purpose?: FieldPurpose;
}

export interface FieldCrypto {
  encryptField(orgId: string | null, ctx: EncryptContext, plaintext: string, tx?: Tx): Promise<string>;
  /**
   * A synchronous encryptField for many values in a row (a page of synced objects): the active key of the
   * purpose is looked up once, when the sealer is made. Values sealed later still use that version, which
   * stays decryptable until re-encryption has moved every value off it.
   */
  fieldSealer(orgId: string | null, purpose?: FieldPurpose, tx?: Tx): Promise<FieldSealer>;
  decryptField(orgId: string | null, ctx: EncryptContext, ciphertext: string, tx?: Tx): Promise<string>;
  encryptSystemField(ctx: EncryptContext, plaintext: string, tx?: Tx): Promise<string>;
  decryptSystemField(ctx: EncryptContext, ciphertext: string, tx?: Tx): Promise<string>;
  /** Re-encrypts under the active key version; null when the value already uses it. */
  reencryptField(orgId: string | null, ctx: EncryptContext, ciphertext: string, tx?: Tx): Promise<string | null>;
  blindIndex(orgId: string | null, kind: BlindIndexKind, value: string, tx?: Tx): Promise<string>;
  createOrgKey(orgId: string, tx?: Tx): Promise<void>;
  destroyOrgKey(orgId: string, tx?: Tx): Promise<void>;
  /** Key machinery shared with rotation (same cache, so rotation's changes are seen at once in-process). */
  readonly keys: DataKeys;
}

export type FieldSealer = (ctx: FieldContext, plaintext: string) => string;

/** Keys every organisation gets on creation; 'backup' keys are made when the backup slice first asks. */
export const ORG_KEY_PURPOSES: readonly KeyPurpose[] = ['data', 'stripe', 'index'];

function sealWith(scope: Scope, purpose: FieldPurpose, active: ActiveKey, ctx: FieldContext, plaintext: string): string {
  assertFieldContext(ctx);
  if (typeof plaintext !== 'string') throw new TypeError('encryptField encrypts strings (serialise JSON first)');
  const sealed = seal(active.key, Buffer.from(plaintext, 'utf8'), fieldAssociatedData(scope, purpose, active.version, ctx));
  return formatCiphertext({ purpose, keyVersion: active.version, sealed });
}

async function encryptWith(keys: DataKeys, scope: Scope, ctx: EncryptContext, plaintext: string, tx?: Tx): Promise<string> {
  assertFieldContext(ctx);
  const purpose = ctx.purpose ?? 'data';
  return sealWith(scope, purpose, await keys.active(scope, purpose, tx), ctx, plaintext);
}

async function decryptWith(keys: DataKeys, scope: Scope, ctx: EncryptContext, ciphertext: string, tx?: Tx): Promise<string> {
  assertFieldContext(ctx);
  const parsed = parseCiphertext(ciphertext);
  if (ctx.purpose !== undefined && ctx.purpose !== parsed.purpose) {
    throw new DecryptionError(`ciphertext was written with the ${parsed.purpose} key, not the ${ctx.purpose} key`);
  }
  const key = await keys.version(scope, parsed.purpose, parsed.keyVersion, tx);
  const ad = fieldAssociatedData(scope, parsed.purpose, parsed.keyVersion, ctx);
  return open(key, parsed.sealed, ad).toString('utf8');
}

/** Creates the service and, on first start, the system scope's keys. */
export async function createFieldCrypto(opts: FieldCryptoOptions): Promise<FieldCrypto> {
  const keys = createDataKeys({ db: opts.db, kms: opts.kms, clock: opts.clock ?? systemClock, onEvent: opts.onEvent, cache: opts.cache });
  // System keys exist before any request: a request scoped to an organisation may read system-scope values
  // (a member's email) but, by row-level security, cannot create system keys.
  await keys.ensure(SYSTEM_SCOPE, ['data', 'index']);

  return {
    keys,
    encryptField: (orgId, ctx, plaintext, tx) => encryptWith(keys, scopeOf(orgId), ctx, plaintext, tx),
    async fieldSealer(orgId, purpose = 'data', tx) {
      const scope = scopeOf(orgId);
      const active = await keys.active(scope, purpose, tx);
      return (ctx, plaintext) => sealWith(scope, purpose, active, ctx, plaintext);
    },
    decryptField: (orgId, ctx, ciphertext, tx) => decryptWith(keys, scopeOf(orgId), ctx, ciphertext, tx),
    encryptSystemField: (ctx, plaintext, tx) => encryptWith(keys, SYSTEM_SCOPE, ctx, plaintext, tx),
    decryptSystemField: (ctx, ciphertext, tx) => decryptWith(keys, SYSTEM_SCOPE, ctx, ciphertext, tx),

    async reencryptField(orgId, ctx, ciphertext, tx) {
      const scope = scopeOf(orgId);
      const parsed = parseCiphertext(ciphertext);
      const active = await keys.active(scope, parsed.purpose, tx);
      if (active.version === parsed.keyVersion) return null;
      const plaintext = await decryptWith(keys, scope, { ...ctx, purpose: parsed.purpose }, ciphertext, tx);
      return encryptWith(keys, scope, { ...ctx, purpose: parsed.purpose }, plaintext, tx);
    },

    async blindIndex(orgId, kind, value, tx) {
      if (typeof value !== 'string') throw new TypeError('blindIndex takes a string');
      const { key } = await keys.active(scopeOf(orgId), 'index', tx);
      return computeBlindIndex(key, kind, value);
    },

    async createOrgKey(orgId, tx) {
      const scope = scopeOf(orgId);
      if (scope === SYSTEM_SCOPE) throw new TypeError('createOrgKey needs an organisation id');
      await keys.ensure(scope, ORG_KEY_PURPOSES, tx);
    },

    async destroyOrgKey(orgId, tx) {
      await keys.destroyScope(scopeOf(orgId), tx);
    },
  };
}
