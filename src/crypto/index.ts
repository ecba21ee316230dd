// Encryption at rest — the public face of src/crypto. Import from here only.
//
// STABLE API (other slices depend on it; change only additively)
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────
// Setup (composition root, once per process):
//   const kms = createKmsFromConfig(config);          // AWS KMS if KMS_KEY_ID, else keyring in <data>/keys
//   const crypto = await createFieldCrypto({ db, kms, clock, onEvent: auditKeyEvents(db) });
//                                                      // creates the system keys on first start
//
// Fields (every value bound to organisation + table + column + row; copying it elsewhere fails):
//   crypto.encryptField(orgId: string | null, ctx: EncryptContext, plaintext: string, tx?: Tx): Promise<string>
//   crypto.decryptField(orgId: string | null, ctx: EncryptContext, ciphertext: string, tx?: Tx): Promise<string>
//   crypto.encryptSystemField(ctx, plaintext, tx?) / crypto.decryptSystemField(ctx, ciphertext, tx?)
//        = orgId null: data no single organisation owns (user emails, users' TOTP secrets)
//   crypto.reencryptField(orgId, ctx, ciphertext, tx?): Promise<string | null>  // null = already current
//   EncryptContext = { table: string; column: string; rowId: string; purpose?: 'data' | 'stripe' }
//        rowId is the row's primary key as text (String(id)); purpose 'stripe' for Stripe tokens and keys
//        (their own key-encryption key); default 'data'. Decrypt takes the same table/column/rowId.
//   Ciphertexts are text "mw1:<d|s|b>:<version>:<base64url>" (~50 chars overhead): store them in `text`.
//
// Blind indexes (equality lookups on encrypted values; store beside the ciphertext, index it):
//   crypto.blindIndex(orgId: string | null, kind: 'email' | 'phone' | 'name' | 'exact', value: string, tx?)
//        : Promise<string>   // 43-char base64url HMAC-SHA256 of the normalised value (emails trimmed and
//                            // lower-cased); per-organisation key, system key for orgId null (login)
//
// Organisation keys:
//   crypto.createOrgKey(orgId, tx?)   on organisation creation (also created lazily on first encrypt)
//   crypto.destroyOrgKey(orgId, tx?)  erasure: crypto-shreds the organisation, backups included; afterwards
//                                     every decrypt throws KeyDestroyedError (never garbage)
//
// Transactions: when you are inside withOrg/withoutOrg, PASS `tx` — key rows are read through it. On PGlite
// (one connection) a call without tx from inside a transaction would wait for ever. Outside a
// transaction, omit it. For system-scope values any app transaction works (system keys are visible to all).
//
// Encrypted columns: declare each in the migration that creates it, so rotation re-encrypts it:
//   await declareEncryptedColumns(db, [{ table, column, idColumn: 'id', orgColumn: 'org_id' | null, purpose? }])
//   and grant the app role UPDATE on that table (rotation rewrites values as the app role, under RLS).
//   `mowt rotate-keys` warns about columns named …encrypted… that nobody declared.
//
// Key events (created, rotated, retired, destroyed) go to crypto_key_events and to onEvent(event, tx?):
//   tx is the caller's open transaction when the change ran inside it (append your audit entry there).
//
// Rotation (every 90 days; see docs/encryption.md):
//   runRotationIfDue({ crypto, clock? }): Promise<RotationReport>      // the daily job; skips if busy
//   rotateKeys({ crypto, force?, batchSize?, graceMs?, onProgress? })  // `npx mowt rotate-keys [--force]`
//   scheduleKeyRotation(boss, { crypto })                             // daily pg-boss schedule
//
// Errors (instanceof): DecryptionError (tampered/copied; MalformedCiphertextError: not a ciphertext),
//   KeyDestroyedError, KeyNotFoundError, KmsError (KmsUnavailableError.retryable === true, …), RotationBusyError.
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export { createFieldCrypto, ORG_KEY_PURPOSES, type EncryptContext, type FieldCrypto, type FieldCryptoOptions } from './field-crypto.js';
export type { FieldContext } from './associated-data.js';
export { BLIND_INDEX_KINDS, normaliseForIndex, type BlindIndexKind } from './blind-index.js';
export { isCiphertext } from './ciphertext-format.js';
export { declareEncryptedColumns, EncryptedColumnRegistry, encryptedColumns, type EncryptedColumn } from './column-registry.js';
export { createKmsFromConfig, keyringDir, type KmsConfig } from './create-kms.js';
export { createKeyring, parseMasterKey, type KeyringOptions } from './keyring.js';
export { createAwsKms, type AwsKmsOptions } from './aws-kms.js';
export type { Kms, KmsKind, KekIdentity, WrapContext } from './kms.js';
export { KEY_PURPOSES, type FieldPurpose, type KeyPurpose } from './key-purpose.js';
export type { KeyEvent, KeyEventListener, KeyEventType } from './key-events.js';
export { auditKeyEvents } from './audit-key-events.js';
export { DEFAULT_KEY_TTL_MS, type KeyCacheOptions } from './data-keys.js';
export {
  BACKUP_RETENTION_DAYS,
  ROTATION_PERIOD_DAYS,
  rotateKeys,
  runRotationIfDue,
  type RotationOptions,
  type RotationProgress,
  type RotationReport,
} from './rotation.js';
export { ROTATION_CRON, ROTATION_QUEUE, scheduleKeyRotation } from './rotation-job.js';
export {
  CryptoError,
  DecryptionError,
  KekNotFoundError,
  KeyDestroyedError,
  KeyNotFoundError,
  KeyringError,
  KmsAccessDeniedError,
  KmsError,
  KmsInvalidCiphertextError,
  KmsUnavailableError,
  MalformedCiphertextError,
  RotationBusyError,
} from './errors.js';
