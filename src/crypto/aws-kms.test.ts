import crypto from 'node:crypto';
import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { createAwsKms, keyInRegion, mapKmsError } from './aws-kms.js';
import { KekNotFoundError, KeyDestroyedError, KmsAccessDeniedError, KmsError, KmsInvalidCiphertextError, KmsUnavailableError } from './errors.js';
import { EncryptedColumnRegistry } from './column-registry.js';
import { createFieldCrypto } from './field-crypto.js';
import { rotateKeys } from './rotation.js';

const SYSTEM_KEY = 'arn:aws:kms:eu-west-2:111122223333:key/system';
const kmsMock = mockClient(KMSClient);

function awsError(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/**
 * A stand-in for KMS behind the mock: real AES-GCM under per-key secrets, encryption context bound as
 * associated data, disabled keys refusing — enough to run the whole service against the adapter.
 */
function fakeKms() {
  const keys = new Map<string, { secret: Buffer; enabled: boolean }>([[SYSTEM_KEY, { secret: crypto.randomBytes(32), enabled: true }]]);
  let n = 0;
  const ad = (ctx: Record<string, string> | undefined) => Buffer.from(JSON.stringify(Object.entries(ctx ?? {}).sort()));
  const seal = (keyId: string, plaintext: Uint8Array, ctx?: Record<string, string>) => {
    const k = keys.get(keyId);
    if (!k) throw awsError('NotFoundException');
    if (!k.enabled) throw awsError('DisabledException');
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', k.secret, iv).setAAD(ad(ctx));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    const id = Buffer.from(keyId);
    return Buffer.concat([Buffer.from([id.length]), id, iv, body, c.getAuthTag()]);
  };
  kmsMock.on(CreateKeyCommand).callsFake(() => {
    const arn = `arn:aws:kms:eu-west-2:111122223333:key/k${++n}`;
    keys.set(arn, { secret: crypto.randomBytes(32), enabled: true });
    return { KeyMetadata: { KeyId: `k${n}`, Arn: arn } };
  });
  kmsMock.on(GenerateDataKeyCommand).callsFake((input: { KeyId: string; EncryptionContext?: Record<string, string> }) => {
    const plaintext = crypto.randomBytes(32);
    return { Plaintext: plaintext, CiphertextBlob: seal(input.KeyId, plaintext, input.EncryptionContext), KeyId: input.KeyId };
  });
  kmsMock.on(EncryptCommand).callsFake((input: { KeyId: string; Plaintext: Uint8Array; EncryptionContext?: Record<string, string> }) => ({
    CiphertextBlob: seal(input.KeyId, input.Plaintext, input.EncryptionContext),
  }));
  kmsMock.on(DecryptCommand).callsFake((input: { KeyId: string; CiphertextBlob: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    const blob = Buffer.from(input.CiphertextBlob);
    const keyId = blob.subarray(1, 1 + blob[0]!).toString();
    if (keyId !== input.KeyId) throw awsError('IncorrectKeyException');
    const k = keys.get(keyId);
    if (!k) throw awsError('NotFoundException');
    if (!k.enabled) throw awsError('DisabledException');
    const rest = blob.subarray(1 + blob[0]!);
    const d = crypto.createDecipheriv('aes-256-gcm', k.secret, rest.subarray(0, 12)).setAAD(ad(input.EncryptionContext));
    d.setAuthTag(rest.subarray(rest.length - 16));
    try {
      return { Plaintext: Buffer.concat([d.update(rest.subarray(12, rest.length - 16)), d.final()]) };
    } catch {
      throw awsError('InvalidCiphertextException');
    }
  });
  kmsMock.on(DisableKeyCommand).callsFake((input: { KeyId: string }) => {
    const k = keys.get(input.KeyId);
    if (!k) throw awsError('NotFoundException');
    k.enabled = false;
    return {};
  });
  kmsMock.on(ScheduleKeyDeletionCommand).resolves({ PendingWindowInDays: 7 });
  return keys;
}

const client = new KMSClient({ region: 'eu-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const org = crypto.randomUUID();

describe('AWS KMS adapter', () => {
  beforeEach(() => kmsMock.reset());

  it('asks GenerateDataKey for AES-256 with the encryption context {org, purpose}', async () => {
    kmsMock.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(32).fill(7), CiphertextBlob: new Uint8Array([1, 2, 3]) });
    const kms = createAwsKms({ client, systemKeyId: SYSTEM_KEY });
    const out = await kms.generateDataKey('arn:k1', { scope: org, purpose: 'stripe' });
    expect(out.plaintext).toEqual(Buffer.alloc(32, 7));
    expect(out.wrapped).toEqual(Buffer.from([1, 2, 3]));
    const call = kmsMock.commandCalls(GenerateDataKeyCommand)[0]!;
    expect(call.args[0].input).toEqual({ KeyId: 'arn:k1', KeySpec: 'AES_256', EncryptionContext: { org, purpose: 'stripe' } });
  });

  it('sends the same context and key id to Decrypt and Encrypt', async () => {
    kmsMock.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32) });
    kmsMock.on(EncryptCommand).resolves({ CiphertextBlob: new Uint8Array([9]) });
    const kms = createAwsKms({ client, systemKeyId: SYSTEM_KEY });
    await kms.unwrapKey('arn:k1', Buffer.from([5]), { scope: org, purpose: 'data' });
    await kms.wrapKey('arn:k2', Buffer.alloc(32), { scope: 'system', purpose: 'index' });
    expect(kmsMock.commandCalls(DecryptCommand)[0]!.args[0].input).toEqual({
      KeyId: 'arn:k1',
      CiphertextBlob: Buffer.from([5]),
      EncryptionContext: { org, purpose: 'data' },
    });
    expect(kmsMock.commandCalls(EncryptCommand)[0]!.args[0].input.EncryptionContext).toEqual({ org: 'system', purpose: 'index' });
  });

  it('creates one tagged customer-managed key per organisation, purpose and version; the system scope uses KMS_KEY_ID', async () => {
    kmsMock.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k9', Arn: 'arn:aws:kms:eu-west-2:1:key/k9' } });
    const kms = createAwsKms({ client, systemKeyId: SYSTEM_KEY });
    expect(await kms.createKek({ scope: org, purpose: 'data', version: 3 })).toBe('arn:aws:kms:eu-west-2:1:key/k9');
    const input = kmsMock.commandCalls(CreateKeyCommand)[0]!.args[0].input;
    expect(input.KeySpec).toBe('SYMMETRIC_DEFAULT');
    expect(input.KeyUsage).toBe('ENCRYPT_DECRYPT');
    expect(input.Tags).toEqual([
      { TagKey: 'mowt:org', TagValue: org },
      { TagKey: 'mowt:purpose', TagValue: 'data' },
      { TagKey: 'mowt:version', TagValue: '3' },
    ]);
    expect(await kms.createKek({ scope: 'system', purpose: 'data', version: 2 })).toBe(SYSTEM_KEY);
    expect(kmsMock.commandCalls(CreateKeyCommand)).toHaveLength(1);
  });

  it('destroys by disabling at once and scheduling deletion; never touches the deployment key', async () => {
    kmsMock.on(DisableKeyCommand).resolves({});
    kmsMock.on(ScheduleKeyDeletionCommand).resolves({});
    const kms = createAwsKms({ client, systemKeyId: SYSTEM_KEY, pendingWindowDays: 7 });
    await kms.destroyKek('arn:k1');
    expect(kmsMock.commandCalls(DisableKeyCommand)[0]!.args[0].input).toEqual({ KeyId: 'arn:k1' });
    expect(kmsMock.commandCalls(ScheduleKeyDeletionCommand)[0]!.args[0].input).toEqual({ KeyId: 'arn:k1', PendingWindowInDays: 7 });
    await kms.destroyKek(SYSTEM_KEY);
    expect(kmsMock.commandCalls(DisableKeyCommand)).toHaveLength(1);
    // Already pending deletion counts as destroyed.
    kmsMock.on(DisableKeyCommand).rejects(awsError('KMSInvalidStateException'));
    kmsMock.on(ScheduleKeyDeletionCommand).rejects(awsError('KMSInvalidStateException'));
    await expect(kms.destroyKek('arn:k1')).resolves.toBeUndefined();
    expect(() => createAwsKms({ client, systemKeyId: SYSTEM_KEY, pendingWindowDays: 3 })).toThrow(RangeError);
  });

  describe('multi-Region organisation keys with an explicit key policy', () => {
    const TASK_ROLE = 'arn:aws:iam::111122223333:role/mowt-production-app-task';
    const BREAK_GLASS = 'arn:aws:iam::111122223333:role/mowt-production-break-glass';
    const MRK = 'arn:aws:kms:eu-west-2:111122223333:key/mrk-0123456789abcdef';
    const dr = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const primary = () => createAwsKms({ client, systemKeyId: SYSTEM_KEY, region: 'eu-west-2', replicaRegions: ['eu-west-1'], clientFor: () => dr, principals: { taskRoleArn: TASK_ROLE, breakGlassRoleArn: BREAK_GLASS } });
    type Statement = { Sid: string; Principal: { AWS: string }; Action: string[]; Condition?: Record<string, Record<string, string>> };
    const CRYPTO = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:*'];

    it('creates the key multi-Region under a policy where only the task role (this organisation\'s context) and break-glass may decrypt, and replicates it with the same policy', async () => {
      kmsMock.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'mrk-0123456789abcdef', Arn: MRK } });
      kmsMock.on(ReplicateKeyCommand).resolves({});
      expect(await primary().createKek({ scope: org, purpose: 'stripe', version: 1 })).toBe(MRK);
      const create = kmsMock.commandCalls(CreateKeyCommand)[0]!.args[0].input;
      expect(create.MultiRegion).toBe(true);
      const statements = (JSON.parse(create.Policy!) as { Statement: Statement[] }).Statement;
      const mayUse = statements.filter((st) => st.Action.some((a) => CRYPTO.includes(a)));
      expect(mayUse.map((st) => st.Principal.AWS).sort()).toEqual([TASK_ROLE, BREAK_GLASS].sort());
      expect(mayUse.find((st) => st.Principal.AWS === TASK_ROLE)!.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:org': org } });
      expect(mayUse.find((st) => st.Principal.AWS === BREAK_GLASS)!.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
      const root = statements.find((st) => st.Principal.AWS === 'arn:aws:iam::111122223333:root')!;
      expect(root.Action).toContain('kms:ScheduleKeyDeletion');
      const replicate = kmsMock.commandCalls(ReplicateKeyCommand);
      expect(replicate).toHaveLength(1);
      expect(replicate[0]!.args[0].input).toMatchObject({ KeyId: MRK, ReplicaRegion: 'eu-west-1', Policy: create.Policy, Tags: create.Tags });
    });

    it('a failed replication fails the creation and disables the orphan everywhere', async () => {
      kmsMock.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'mrk-0123456789abcdef', Arn: MRK } });
      kmsMock.on(ReplicateKeyCommand).rejects(awsError('AccessDeniedException'));
      kmsMock.on(DisableKeyCommand).resolves({});
      kmsMock.on(ScheduleKeyDeletionCommand).resolves({});
      await expect(primary().createKek({ scope: org, purpose: 'data', version: 1 })).rejects.toBeInstanceOf(KmsAccessDeniedError);
      expect(kmsMock.commandCalls(DisableKeyCommand).map((c) => c.args[0].input.KeyId).sort()).toEqual([MRK, keyInRegion(MRK, 'eu-west-1')].sort());
    });

    it('after a failover the recovery region uses its replica of the key the primary created', async () => {
      kmsMock.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32) });
      const inDr = createAwsKms({ client: dr, systemKeyId: SYSTEM_KEY, region: 'eu-west-1', replicaRegions: ['eu-west-2'], clientFor: () => client });
      await inDr.unwrapKey(MRK, Buffer.from([5]), { scope: org, purpose: 'data' });
      const call = kmsMock.commandCalls(DecryptCommand)[0]!;
      expect(call.args[0].input.KeyId).toBe('arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef');
      expect(call.thisValue).toBe(dr);
      // Single-region keys and aliases are left as they are.
      expect(keyInRegion('arn:aws:kms:eu-west-2:111122223333:key/1234abcd', 'eu-west-1')).toBe('arn:aws:kms:eu-west-2:111122223333:key/1234abcd');
    });

    it('crypto-shredding disables the key in both regions, then deletes the replica before the primary', async () => {
      kmsMock.on(DisableKeyCommand).resolves({});
      kmsMock.on(ScheduleKeyDeletionCommand).resolves({});
      await primary().destroyKek(MRK);
      const disabled = kmsMock.commandCalls(DisableKeyCommand).map((c) => [c.args[0].input.KeyId, c.thisValue === dr ? 'dr' : 'primary']);
      expect(disabled).toEqual([[keyInRegion(MRK, 'eu-west-1'), 'dr'], [MRK, 'primary']]);
      const deleted = kmsMock.commandCalls(ScheduleKeyDeletionCommand).map((c) => [c.args[0].input.KeyId, c.thisValue === dr ? 'dr' : 'primary']);
      expect(deleted).toEqual([[keyInRegion(MRK, 'eu-west-1'), 'dr'], [MRK, 'primary']]);
    });

    it('refuses a replica region equal to its own region and replicas without a region', () => {
      expect(() => createAwsKms({ client, systemKeyId: SYSTEM_KEY, region: 'eu-west-2', replicaRegions: ['eu-west-2'] })).toThrow(/cannot also be a replica/);
      expect(() => createAwsKms({ client, systemKeyId: SYSTEM_KEY, replicaRegions: ['eu-west-1'] })).toThrow(/local region/);
    });
  });

  it('maps KMS errors to the service errors', async () => {
    const kms = createAwsKms({ client, systemKeyId: SYSTEM_KEY });
    const cases: [string, new (...a: never[]) => KmsError][] = [
      ['NotFoundException', KekNotFoundError],
      ['DisabledException', KekNotFoundError],
      ['KMSInvalidStateException', KekNotFoundError],
      ['InvalidCiphertextException', KmsInvalidCiphertextError],
      ['IncorrectKeyException', KmsInvalidCiphertextError],
      ['AccessDeniedException', KmsAccessDeniedError],
      ['ThrottlingException', KmsUnavailableError],
      ['KMSInternalException', KmsUnavailableError],
      ['DependencyTimeoutException', KmsUnavailableError],
    ];
    for (const [name, cls] of cases) {
      kmsMock.on(DecryptCommand).rejects(awsError(name, `boom ${name}`));
      const err = await kms.unwrapKey('arn:k1', Buffer.from([1]), { scope: org, purpose: 'data' }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(cls);
      expect((err as Error).message).toContain(`Decrypt on arn:k1 failed: ${name}`);
      expect((err as Error).cause).toBeInstanceOf(Error);
    }
    expect(mapKmsError(awsError('ThrottlingException'), 'Decrypt', 'k').retryable).toBe(true);
    expect(mapKmsError(awsError('InvalidCiphertextException'), 'Decrypt', 'k').retryable).toBe(false);
    expect(mapKmsError(Object.assign(new Error('socket'), { code: 'ECONNRESET' }), 'Decrypt', 'k')).toBeInstanceOf(KmsUnavailableError);
    expect(mapKmsError(awsError('SomethingNew'), 'Decrypt', 'k').constructor).toBe(KmsError);
  });

  describe('behind the field-encryption service (PGlite)', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase('pglite');
    });
    afterAll(async () => t?.dispose());

    it('encrypts with per-organisation CMKs, and shreds an organisation by disabling them', async () => {
      kmsMock.reset();
      const keys = fakeKms();
      const fc = await createFieldCrypto({ db: t.db, kms: createAwsKms({ client, systemKeyId: SYSTEM_KEY }) });
      await fc.createOrgKey(org);
      // data, stripe and index: three CMKs for the organisation; none for the system scope.
      expect(kmsMock.commandCalls(CreateKeyCommand)).toHaveLength(3);
      const where = { table: 'customers', column: 'email', rowId: 'c1' };
      const c = await fc.encryptField(org, where, 'ada@example.com');
      const s = await fc.encryptSystemField(where, 'system value');
      // "Another process", with its own cache and a clock the test moves.
      let now = new Date();
      const fresh = await createFieldCrypto({ db: t.db, kms: createAwsKms({ client, systemKeyId: SYSTEM_KEY }), clock: () => now });
      expect(await fresh.decryptField(org, where, c)).toBe('ada@example.com');
      for (const call of kmsMock.commandCalls(DecryptCommand)) {
        expect(Object.keys(call.args[0].input.EncryptionContext ?? {}).sort()).toEqual(['org', 'purpose']);
      }
      await fc.destroyOrgKey(org);
      expect(kmsMock.commandCalls(ScheduleKeyDeletionCommand)).toHaveLength(3);
      expect([...keys.values()].filter((k) => !k.enabled)).toHaveLength(3);
      // The process that destroyed the key refuses at once; another one as soon as its cache entry expires
      // (TTL 60 s by default), since KMS then refuses to unwrap.
      await expect(fc.decryptField(org, where, c)).rejects.toBeInstanceOf(KeyDestroyedError);
      now = new Date(now.getTime() + 61_000);
      await expect(fresh.decryptField(org, where, c)).rejects.toBeInstanceOf(KeyDestroyedError);
      expect(await fresh.decryptSystemField(where, s)).toBe('system value');
    });

    it('rotates with new CMKs per organisation, keeps the deployment key for the system scope, and never deletes it', async () => {
      kmsMock.reset();
      const keys = fakeKms();
      // Its own database: the fake KMS above starts with a new deployment key.
      const own = await createTestDatabase('pglite');
      onTestFinished(() => own.dispose());
      let now = new Date('2026-01-01T00:00:00Z');
      const clock = () => now;
      const fc = await createFieldCrypto({ db: own.db, kms: createAwsKms({ client, systemKeyId: SYSTEM_KEY }), clock });
      const org2 = crypto.randomUUID();
      await fc.createOrgKey(org2);
      const where = { table: 'customers', column: 'email', rowId: 'c2' };
      const c = await fc.encryptField(org2, where, 'rotated@example.com');
      const s = await fc.encryptSystemField(where, 'system value');
      const created = kmsMock.commandCalls(CreateKeyCommand).length;
      now = new Date('2026-04-01T00:00:00Z');
      const report = await rotateKeys({ crypto: fc, clock, graceMs: 0, registry: new EncryptedColumnRegistry() });
      expect(report.started.filter((r) => r.orgId === org2)).toHaveLength(3);
      expect(kmsMock.commandCalls(CreateKeyCommand).length).toBe(created + 3);
      // A year after retirement the organisation's old CMKs are scheduled for deletion; the deployment key is not.
      now = new Date('2027-04-02T00:00:00Z');
      const later = await rotateKeys({ crypto: fc, clock, graceMs: 0, registry: new EncryptedColumnRegistry() });
      expect(later.destroyedKeks).toBeGreaterThanOrEqual(3);
      const deleted = kmsMock.commandCalls(ScheduleKeyDeletionCommand).map((call) => call.args[0].input.KeyId);
      expect(deleted).not.toContain(SYSTEM_KEY);
      expect(keys.get(SYSTEM_KEY)!.enabled).toBe(true);
      const fresh = await createFieldCrypto({ db: own.db, kms: createAwsKms({ client, systemKeyId: SYSTEM_KEY }), clock });
      const s2 = await fc.encryptSystemField(where, 'after a year');
      expect(await fresh.decryptSystemField(where, s2)).toBe('after a year');
      // Those two values were never re-encrypted (no declared column) and their data keys outlived the
      // retention: a clear error, not garbage.
      await expect(fresh.decryptSystemField(where, s)).rejects.toBeInstanceOf(KeyDestroyedError);
      await expect(fresh.decryptField(org2, where, c)).rejects.toBeInstanceOf(KeyDestroyedError);
    });
  });
});
