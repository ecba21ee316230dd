// AWS KMS adapter (required in production). Key-encryption keys never leave KMS: data keys come from
// GenerateDataKey, are unwrapped with Decrypt and re-wrapped with Encrypt, always with the encryption
// context {org, purpose}, which KMS binds into the ciphertext and writes to CloudTrail.
//
// Each organisation gets its own customer-managed key per purpose and version (CreateKey), so disabling and
// deleting it crypto-shreds that organisation, old database backups included. The system scope (data no
// organisation owns: user emails, TOTP secrets) uses the deployment key KMS_KEY_ID, which infra creates
// with automatic rotation; Mowt never schedules that key for deletion.
import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  KekNotFoundError,
  KmsAccessDeniedError,
  KmsError,
  KmsInvalidCiphertextError,
  KmsUnavailableError,
} from './errors.js';
import { SYSTEM_SCOPE } from './key-purpose.js';
import type { KekIdentity, Kms, WrapContext } from './kms.js';

export interface AwsKmsOptions {
  client: KMSClient;
  /** KMS_KEY_ID: the deployment's key (ARN, id or alias) for the system scope. */
  systemKeyId: string;
  /** Waiting period before AWS deletes a destroyed key's material (7–30 days; disabled at once). */
  pendingWindowDays?: number;
}

/** Same names KMS sees in the encryption context and CloudTrail. */
export function encryptionContext(ctx: WrapContext): Record<string, string> {
  return { org: ctx.scope, purpose: ctx.purpose };
}

const NOT_FOUND = new Set(['NotFoundException', 'DisabledException', 'KMSInvalidStateException', 'KeyUnavailableException']);
const BAD_CIPHERTEXT = new Set(['InvalidCiphertextException', 'IncorrectKeyException', 'InvalidKeyUsageException']);
const TRANSIENT = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'ServiceUnavailableException',
  'RequestTimeout',
  'TimeoutError',
]);
const DENIED = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException']);

/** Maps an SDK error to the adapter-neutral errors the service understands. */
export function mapKmsError(err: unknown, action: string, keyId: string): KmsError {
  const name = (err as { name?: string } | null)?.name ?? '';
  const detail = `${action} on ${keyId} failed: ${name || 'error'}${err instanceof Error && err.message ? ` (${err.message})` : ''}`;
  const opts = { cause: err };
  if (NOT_FOUND.has(name)) return new KekNotFoundError(detail, opts);
  if (BAD_CIPHERTEXT.has(name)) return new KmsInvalidCiphertextError(detail, opts);
  if (DENIED.has(name)) return new KmsAccessDeniedError(detail, opts);
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  if (TRANSIENT.has(name) || ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
    return new KmsUnavailableError(detail, opts);
  }
  return new KmsError(detail, opts);
}

export function createAwsKms(opts: AwsKmsOptions): Kms {
  const { client, systemKeyId } = opts;
  const pendingWindowDays = opts.pendingWindowDays ?? 7;
  if (!Number.isInteger(pendingWindowDays) || pendingWindowDays < 7 || pendingWindowDays > 30) {
    throw new RangeError('pendingWindowDays must be an integer from 7 to 30 (AWS KMS limits)');
  }

  async function call<T>(action: string, keyId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw mapKmsError(err, action, keyId);
    }
  }

  async function wrapKey(kekRef: string, plaintext: Buffer, ctx: WrapContext): Promise<Buffer> {
    const out = await call('Encrypt', kekRef, () =>
      client.send(new EncryptCommand({ KeyId: kekRef, Plaintext: plaintext, EncryptionContext: encryptionContext(ctx) })),
    );
    if (!out.CiphertextBlob) throw new KmsError(`Encrypt on ${kekRef} returned no ciphertext`);
    return Buffer.from(out.CiphertextBlob);
  }

  return {
    kind: 'aws-kms',

    async createKek(id: KekIdentity) {
      if (id.scope === SYSTEM_SCOPE) return systemKeyId;
      const out = await call('CreateKey', `${id.scope}/${id.purpose}/v${id.version}`, () =>
        client.send(
          new CreateKeyCommand({
            Description: `Mowt ${id.purpose} key-encryption key v${id.version} of organisation ${id.scope}`,
            KeyUsage: 'ENCRYPT_DECRYPT',
            KeySpec: 'SYMMETRIC_DEFAULT',
            Tags: [
              { TagKey: 'mowt:org', TagValue: id.scope },
              { TagKey: 'mowt:purpose', TagValue: id.purpose },
              { TagKey: 'mowt:version', TagValue: String(id.version) },
            ],
          }),
        ),
      );
      const arn = out.KeyMetadata?.Arn ?? out.KeyMetadata?.KeyId;
      if (!arn) throw new KmsError('CreateKey returned no key id');
      return arn;
    },

    async generateDataKey(kekRef, ctx) {
      const out = await call('GenerateDataKey', kekRef, () =>
        client.send(new GenerateDataKeyCommand({ KeyId: kekRef, KeySpec: 'AES_256', EncryptionContext: encryptionContext(ctx) })),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new KmsError(`GenerateDataKey on ${kekRef} returned no key`);
      return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
    },

    wrapKey,

    async unwrapKey(kekRef, wrapped, ctx) {
      const out = await call('Decrypt', kekRef, () =>
        client.send(new DecryptCommand({ KeyId: kekRef, CiphertextBlob: wrapped, EncryptionContext: encryptionContext(ctx) })),
      );
      if (!out.Plaintext) throw new KmsError(`Decrypt on ${kekRef} returned no plaintext`);
      return Buffer.from(out.Plaintext);
    },

    async destroyKek(kekRef) {
      if (kekRef === systemKeyId) return;
      // Disable first: it takes effect at once, whereas deletion waits out the pending window. Already
      // disabled, pending deletion or gone all count as done, so destroying is idempotent.
      const ignoringGone = async (action: string, run: () => Promise<unknown>) => {
        try {
          await run();
        } catch (err) {
          const mapped = mapKmsError(err, action, kekRef);
          if (!(mapped instanceof KekNotFoundError)) throw mapped;
        }
      };
      await ignoringGone('DisableKey', () => client.send(new DisableKeyCommand({ KeyId: kekRef })));
      await ignoringGone('ScheduleKeyDeletion', () =>
        client.send(new ScheduleKeyDeletionCommand({ KeyId: kekRef, PendingWindowInDays: pendingWindowDays })),
      );
    },
  };
}
