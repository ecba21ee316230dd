// The backup key: every backup gets a fresh 256-bit data key from the KMS, wrapped by the system 'backup'
// key-encryption key (AWS KMS in production, the keyring in development). The wrapped key travels in the
// file's header, so a restore needs the KMS and nothing from the lost database; the KEK never leaves the
// KMS. Rotation replaces the KEK every 90 days and keeps retired versions a year (BACKUP_RETENTION_DAYS),
// as long as the oldest backup is kept.
import type { FieldCrypto, Kms } from '../crypto/index.js';
import type { BackupHeader } from './backup-format.js';

const SYSTEM = 'system';
const CONTEXT = { scope: SYSTEM, purpose: 'backup' } as const;

export interface BackupDataKey {
  kmsKind: string;
  kekRef: string;
  kekVersion: number;
  plaintext: Buffer;
  wrapped: Buffer;
}

/** The backup key does not open this file: wrong KMS, wrong keyring, destroyed key or altered header. */
export class BackupKeyError extends Error {
  override name = 'BackupKeyError';
}

export async function newBackupDataKey(crypto: FieldCrypto): Promise<BackupDataKey> {
  const { db, kms } = crypto.keys;
  await crypto.keys.ensure(SYSTEM, ['backup']);
  const kek = await db.owner
    .selectFrom('crypto_keks')
    .select(['kms_ref', 'kms_kind', 'version'])
    .where('org_id', 'is', null)
    .where('purpose', '=', 'backup')
    .where('status', '=', 'active')
    .orderBy('version', 'desc')
    .executeTakeFirst();
  if (!kek) throw new BackupKeyError('there is no active system backup key-encryption key');
  const { plaintext, wrapped } = await kms.generateDataKey(kek.kms_ref, CONTEXT);
  return { kmsKind: kek.kms_kind, kekRef: kek.kms_ref, kekVersion: kek.version, plaintext, wrapped };
}

export async function openBackupDataKey(kms: Kms, header: BackupHeader): Promise<Buffer> {
  if (header.kek.kind !== kms.kind) {
    throw new BackupKeyError(`this backup's key is held by ${header.kek.kind}, but Mowt is configured for ${kms.kind}`);
  }
  let key: Buffer;
  try {
    key = await kms.unwrapKey(header.kek.ref, Buffer.from(header.wrappedKey, 'base64'), CONTEXT);
  } catch (err) {
    throw new BackupKeyError(
      `the backup key ${header.kek.ref} (v${header.kek.version}) does not open this backup: ${(err as Error).message}`,
    );
  }
  if (key.length !== 32) throw new BackupKeyError('the unwrapped backup key is not 256 bits');
  return key;
}
