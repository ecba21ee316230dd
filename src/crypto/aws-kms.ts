// AWS KMS adapter (required in production). Key-encryption keys never leave KMS: data keys come from
// GenerateDataKey, are unwrapped with Decrypt and re-wrapped with Encrypt, always with the encryption
// context {org, purpose}, which KMS binds into the ciphertext and writes to CloudTrail.
//
// Each organisation gets its own customer-managed key per purpose and version (CreateKey), so disabling and
// deleting it crypto-shreds that organisation, old database backups included. The system scope (data no
// organisation owns: user emails, TOTP secrets) uses the deployment key KMS_KEY_ID, which infra creates
// with automatic rotation; Mowt never schedules that key for deletion.
//
// With replica regions configured (KMS_REPLICA_REGIONS, production: the disaster-recovery region) an
// organisation key is a multi-Region key replicated there at creation, so the database replica in that region
// stays readable after a failover: a multi-Region key's ARN differs between regions only in the region, and
// each call goes to this process's region. Every key gets the explicit policy of org-key-policy.ts.
import {
  CreateKeyCommand,
  DecryptCommand,
  KMSClient,
  ReplicateKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ScheduleKeyDeletionCommand,
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
import { orgKeyPolicy, type OrgKeyPrincipals } from './org-key-policy.js';

export interface AwsKmsOptions {
  client: KMSClient;
  /** KMS_KEY_ID: the deployment's key (ARN, id or alias) for the system scope. */
  systemKeyId: string;
  /** Waiting period before AWS deletes a destroyed key's material (7–30 days; disabled at once). */
  pendingWindowDays?: number;
  /** This process's region (where `client` points); needed with replicaRegions. */
  region?: string;
  /** Regions every organisation key is replicated to (multi-Region keys). */
  replicaRegions?: string[];
  /** A client for another region (replication and crypto-shredding reach every region). */
  clientFor?: (region: string) => KMSClient;
  /** Who may use organisation keys; without it KMS applies its default policy (development accounts only). */
  principals?: OrgKeyPrincipals;
}

const KEY_ARN = /^arn:(aws[\w-]*):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

/** The same multi-Region key in another region (its ARN differs only there); other references unchanged. */
export function keyInRegion(kekRef: string, region: string): string {
  const m = KEY_ARN.exec(kekRef);
  if (!m || !m[4]?.startsWith('mrk-')) return kekRef;
  return `arn:${m[1]}:kms:${region}:${m[3]}:key/${m[4]}`;
}

export function regionOfKey(kekRef: string): string | undefined {
  return KEY_ARN.exec(kekRef)?.[2];
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
  const replicaRegions = opts.replicaRegions ?? [];
  const region = opts.region;
  if (replicaRegions.length && !region) throw new RangeError('replica regions need the local region');
  if (replicaRegions.includes(region ?? '')) throw new RangeError(`the local region ${region} cannot also be a replica region`);
  const clients = new Map<string, KMSClient>(region ? [[region, client]] : []);
  const clientIn = (r: string): KMSClient => {
    let c = clients.get(r);
    if (!c) clients.set(r, (c = opts.clientFor ? opts.clientFor(r) : new KMSClient({ region: r })));
    return c;
  };
  /** The reference to call this region with: replicas answer for a multi-Region key created elsewhere. */
  const local = (kekRef: string): string => (region ? keyInRegion(kekRef, region) : kekRef);
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
      client.send(new EncryptCommand({ KeyId: local(kekRef), Plaintext: plaintext, EncryptionContext: encryptionContext(ctx) })),
    );
    if (!out.CiphertextBlob) throw new KmsError(`Encrypt on ${kekRef} returned no ciphertext`);
    return Buffer.from(out.CiphertextBlob);
  }

  /**
   * Disables the key in every region at once (deletion waits out the pending window), then schedules the
   * deletion of the replicas before the primary, which KMS holds back until its replicas are gone. Already
   * disabled, pending deletion or gone all count as done, so destroying is idempotent.
   */
  async function destroyEverywhere(kekRef: string): Promise<void> {
    const home = regionOfKey(kekRef);
    const isMultiRegion = keyInRegion(kekRef, 'x') !== kekRef;
    const regions = isMultiRegion && home ? [...new Set([...replicaRegions, ...(region ? [region] : [])].filter((r) => r !== home)), home] : [undefined];
    const ignoringGone = async (action: string, ref: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (err) {
        const mapped = mapKmsError(err, action, ref);
        if (!(mapped instanceof KekNotFoundError)) throw mapped;
      }
    };
    const target = (r: string | undefined) => ({ c: r ? clientIn(r) : client, ref: r ? keyInRegion(kekRef, r) : kekRef });
    for (const r of regions) {
      const { c, ref } = target(r);
      await ignoringGone('DisableKey', ref, () => c.send(new DisableKeyCommand({ KeyId: ref })));
    }
    for (const r of regions) {
      const { c, ref } = target(r);
      await ignoringGone('ScheduleKeyDeletion', ref, () => c.send(new ScheduleKeyDeletionCommand({ KeyId: ref, PendingWindowInDays: pendingWindowDays })));
    }
  }

  return {
    kind: 'aws-kms',

    async createKek(id: KekIdentity) {
      if (id.scope === SYSTEM_SCOPE) return systemKeyId;
      const label = `${id.scope}/${id.purpose}/v${id.version}`;
      const description = `Mowt ${id.purpose} key-encryption key v${id.version} of organisation ${id.scope}`;
      const tags = [
        { TagKey: 'mowt:org', TagValue: id.scope },
        { TagKey: 'mowt:purpose', TagValue: id.purpose },
        { TagKey: 'mowt:version', TagValue: String(id.version) },
      ];
      const policy = opts.principals ? { Policy: orgKeyPolicy(id.scope, opts.principals) } : {};
      const out = await call('CreateKey', label, () =>
        client.send(
          new CreateKeyCommand({
            Description: description,
            KeyUsage: 'ENCRYPT_DECRYPT',
            KeySpec: 'SYMMETRIC_DEFAULT',
            MultiRegion: replicaRegions.length > 0,
            ...policy,
            Tags: tags,
          }),
        ),
      );
      const arn = out.KeyMetadata?.Arn ?? out.KeyMetadata?.KeyId;
      if (!arn) throw new KmsError('CreateKey returned no key id');
      // A key without its replica would leave this organisation unreadable after a failover: fail the
      // creation (the caller retries; the orphan is disabled and scheduled for deletion) rather than go on.
      try {
        for (const replicaRegion of replicaRegions) {
          await call('ReplicateKey', `${label} to ${replicaRegion}`, () =>
            client.send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: replicaRegion, Description: description, ...policy, Tags: tags })),
          );
        }
      } catch (err) {
        await destroyEverywhere(arn).catch(() => undefined);
        throw err;
      }
      return arn;
    },

    async generateDataKey(kekRef, ctx) {
      const out = await call('GenerateDataKey', kekRef, () =>
        client.send(new GenerateDataKeyCommand({ KeyId: local(kekRef), KeySpec: 'AES_256', EncryptionContext: encryptionContext(ctx) })),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new KmsError(`GenerateDataKey on ${kekRef} returned no key`);
      return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
    },

    wrapKey,

    async unwrapKey(kekRef, wrapped, ctx) {
      const out = await call('Decrypt', kekRef, () =>
        client.send(new DecryptCommand({ KeyId: local(kekRef), CiphertextBlob: wrapped, EncryptionContext: encryptionContext(ctx) })),
      );
      if (!out.Plaintext) throw new KmsError(`Decrypt on ${kekRef} returned no plaintext`);
      return Buffer.from(out.Plaintext);
    },

    async destroyKek(kekRef) {
      if (kekRef === systemKeyId) return;
      await destroyEverywhere(kekRef);
    },
  };
}
