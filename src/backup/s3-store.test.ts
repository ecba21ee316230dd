// The S3 destination, against an in-memory bucket behind aws-sdk-client-mock (AWS is the one thing mocked):
// a real backup of a real database is uploaded in multipart parts, listed, restore-tested from the bucket
// and pruned; a failed upload is aborted and leaves nothing; a bucket in another region than configured,
// the primary region in production, and a region outside an organisation's data residency are refused
// before a byte is written.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { loadConfig } from '../config.js';
import { createFieldCrypto, createKeyring, type FieldCrypto, type Kms } from '../crypto/index.js';
import { runBackup } from './backup.js';
import { createBackupStore } from './create-store.js';
import { BackupDestinationError } from './destination-policy.js';
import { pruneBackups } from './prune.js';
import { runRestoreTest } from './restore-test.js';
import { bucketRegionOf, createS3Store } from './s3-store.js';

const MiB = 1024 * 1024;

/** Just enough of S3 to hold objects and multipart uploads, with S3's rule that non-final parts are ≥ 5 MiB. */
function fakeBucket(region: string) {
  const s3 = mockClient(S3Client);
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, { key: string; parts: Map<number, Buffer> }>();
  const calls: string[] = [];
  const toBuffer = (body: unknown) => (typeof body === 'string' ? Buffer.from(body) : Buffer.from(body as Uint8Array));
  s3.on(GetBucketLocationCommand).callsFake(async () => {
    calls.push('location');
    return { LocationConstraint: (region === 'us-east-1' ? undefined : region) as BucketLocationConstraint | undefined };
  });
  s3.on(PutObjectCommand).callsFake(async (i: { Key: string; Body: unknown; ServerSideEncryption?: string }) => {
    calls.push(`put ${i.Key}`);
    if (!i.ServerSideEncryption) throw new Error('objects must be stored with server-side encryption');
    objects.set(i.Key, toBuffer(i.Body));
    return {};
  });
  s3.on(CreateMultipartUploadCommand).callsFake(async (i: { Key: string }) => {
    const id = crypto.randomUUID();
    uploads.set(id, { key: i.Key, parts: new Map() });
    calls.push(`create ${i.Key}`);
    return { UploadId: id };
  });
  s3.on(UploadPartCommand).callsFake(async (i: { UploadId: string; PartNumber: number; Body: unknown }) => {
    const up = uploads.get(i.UploadId);
    if (!up) throw new Error('NoSuchUpload');
    up.parts.set(i.PartNumber, toBuffer(i.Body));
    calls.push(`part ${i.PartNumber}`);
    return { ETag: `"etag-${i.PartNumber}"` };
  });
  s3.on(CompleteMultipartUploadCommand).callsFake(async (i: { UploadId: string; MultipartUpload: { Parts: { PartNumber: number }[] } }) => {
    const up = uploads.get(i.UploadId);
    if (!up) throw new Error('NoSuchUpload');
    const parts = i.MultipartUpload.Parts.map((p) => up.parts.get(p.PartNumber)!);
    parts.slice(0, -1).forEach((p) => {
      if (p.length < 5 * MiB) throw new Error('EntityTooSmall');
    });
    objects.set(up.key, Buffer.concat(parts));
    uploads.delete(i.UploadId);
    calls.push(`complete ${up.key}`);
    return {};
  });
  s3.on(AbortMultipartUploadCommand).callsFake(async (i: { UploadId: string }) => {
    uploads.delete(i.UploadId);
    calls.push('abort');
    return {};
  });
  // Pages of 2 keys, so listing must follow continuation tokens.
  s3.on(ListObjectsV2Command).callsFake(async (i: { Prefix?: string; ContinuationToken?: string }) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(i.Prefix ?? '')).sort();
    const start = i.ContinuationToken ? Number(i.ContinuationToken) : 0;
    const page = keys.slice(start, start + 2);
    const more = start + 2 < keys.length;
    return { Contents: page.map((Key) => ({ Key })), IsTruncated: more, NextContinuationToken: more ? String(start + 2) : undefined };
  });
  s3.on(GetObjectCommand).callsFake(async (i: { Key: string }) => {
    const body = objects.get(i.Key);
    if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: Object.assign(Readable.from([body]), { transformToString: async () => body.toString('utf8') }) };
  });
  s3.on(DeleteObjectCommand).callsFake(async (i: { Key: string }) => {
    objects.delete(i.Key);
    calls.push(`delete ${i.Key}`);
    return {};
  });
  return { s3, objects, uploads, calls, client: new S3Client({ region }) };
}

describe('S3 backup store', () => {
  let t: TestDatabase;
  let dir: string;
  let kms: Kms;
  let fc: FieldCrypto;
  const orgUk = crypto.randomUUID();

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-s3-'));
    kms = createKeyring({ dir: path.join(dir, 'keys') });
    fc = await createFieldCrypto({ db: t.db, kms });
    await t.db.owner.insertInto('organisations').values({ id: orgUk, name: 'UK Ltd' }).execute(); // default region eu-west-2
    // Enough incompressible-ish data that the encrypted file needs more than one 5 MiB part.
    await sql`create table s3_test_blobs (id int primary key, payload text not null)`.execute(t.db.owner);
    await sql`insert into s3_test_blobs select g, md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text)
      from generate_series(1, 160000) g`.execute(t.db.owner);
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let bucket: ReturnType<typeof fakeBucket>;
  beforeEach(() => {
    bucket?.s3.restore();
    bucket = fakeBucket('eu-west-1');
  });

  const store = (o: Partial<Parameters<typeof createS3Store>[0]> = {}) =>
    createS3Store({ bucket: 'mowt-backups-dr', region: 'eu-west-1', prefix: 'prod/', partBytes: 5 * MiB, client: bucket.client, ...o });

  it('uploads a real backup in multipart parts, lists it, restore-tests it from the bucket and prunes it', async () => {
    const s = store();
    const { manifest, location } = await runBackup({ db: t.db, crypto: fc, store: s, production: false, primaryRegion: 'eu-west-2' });
    expect(location).toBe(`s3://mowt-backups-dr/prod/${manifest.backupId}.mowtbak`);
    expect(manifest.regions).toMatchObject({ primary: 'eu-west-2', destination: 'eu-west-1', orgDataRegions: ['eu-west-2'] });
    const file = bucket.objects.get(`prod/${manifest.file}`)!;
    expect(file.length).toBe(manifest.ciphertext.bytes);
    expect(manifest.ciphertext.bytes).toBeGreaterThan(5 * MiB);
    expect(bucket.calls.filter((c) => c.startsWith('part ')).length).toBeGreaterThanOrEqual(2);
    expect(bucket.calls[0]).toBe('location'); // the bucket's region is checked before anything is written
    expect(bucket.calls.indexOf(`complete prod/${manifest.file}`)).toBeLessThan(bucket.calls.indexOf(`put prod/${manifest.backupId}.manifest.json`));
    expect(bucket.uploads.size).toBe(0);
    expect(crypto.createHash('sha256').update(file).digest('hex')).toBe(manifest.ciphertext.sha256);

    // A second backup, so listing crosses a page boundary (two keys per page).
    await runBackup({ db: t.db, crypto: fc, store: s, production: false, primaryRegion: 'eu-west-2' });
    const listed = await s.list();
    expect(listed.map((l) => l.manifest.backupId)).toHaveLength(2);
    expect(listed[1]!.manifest.backupId).toBe(manifest.backupId); // newest first

    const test = await runRestoreTest({ db: t.db, kms, store: s, backupId: manifest.backupId });
    expect(test.problems).toEqual([]);
    expect(test.ok).toBe(true);
    expect(test.tables.find((x) => x.table === 'public.s3_test_blobs')).toMatchObject({ expected: 160000, actual: 160000 });

    // Retention: a year later both are past every slot but the newest good one, which is always kept.
    const later = () => new Date(Date.now() + 400 * 86_400_000);
    const deleted = await pruneBackups(s, t.db, later);
    expect(deleted).toEqual([manifest.backupId]);
    expect([...bucket.objects.keys()].filter((k) => k.includes(manifest.backupId))).toEqual([]);
    expect(await s.list()).toHaveLength(1);
  }, 240_000);

  it('aborts a failed multipart upload and lists nothing', async () => {
    bucket.s3.on(UploadPartCommand, { PartNumber: 2 }).rejects(new Error('connection reset'));
    await expect(runBackup({ db: t.db, crypto: fc, store: store(), production: false, primaryRegion: 'eu-west-2' })).rejects.toThrow(/connection reset/);
    expect(bucket.calls).toContain('abort');
    expect(bucket.uploads.size).toBe(0);
    expect([...bucket.objects.keys()]).toEqual([]);
    expect(await store().list()).toEqual([]);
  }, 120_000);

  it('refuses a bucket that is not in the configured region, before writing', async () => {
    bucket.s3.restore();
    bucket = fakeBucket('eu-west-2');
    const err = await runBackup({ db: t.db, crypto: fc, store: store(), production: false, primaryRegion: 'eu-west-2' }).then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(BackupDestinationError);
    expect(err?.message).toMatch(/is in eu-west-2, not in the configured MOWT_BACKUP_REGION eu-west-1/);
    expect(bucket.objects.size).toBe(0);
  }, 60_000);

  it('refuses, end to end, a destination outside an organisation\'s data region, and the primary region in production', async () => {
    // The bucket really is in us-east-1, but UK data may only be copied within the UK/EU.
    bucket.s3.restore();
    bucket = fakeBucket('us-east-1');
    const us = store({ region: 'us-east-1' });
    await expect(runBackup({ db: t.db, crypto: fc, store: us, production: false, primaryRegion: 'eu-west-2' })).rejects.toThrow(
      /refusing to back up to us-east-1: organisations with data in eu-west-2 may not be copied there/,
    );
    expect(bucket.objects.size).toBe(0);
    expect(bucket.calls.some((c) => c.startsWith('create') || c.startsWith('put'))).toBe(false);

    // An organisation whose data lives in the US may be copied to another US region; a UK one in the same
    // backup still forbids it.
    const orgUs = crypto.randomUUID();
    await t.db.owner.insertInto('organisations').values({ id: orgUs, name: 'US Inc', data_region: 'us-east-1' }).execute();
    try {
      await expect(runBackup({ db: t.db, crypto: fc, store: us, production: false, primaryRegion: 'eu-west-2' })).rejects.toThrow(/data in eu-west-2 may not/);
    } finally {
      await t.db.owner.deleteFrom('organisations').where('id', '=', orgUs).execute();
    }

    // Production: the backup key must come from AWS KMS, not a keyring file (the region rule is checked
    // by the configuration below and by checkBackupDestination, policy.test.ts).
    bucket.s3.restore();
    bucket = fakeBucket('eu-west-1');
    await expect(runBackup({ db: t.db, crypto: fc, store: store(), production: true, primaryRegion: 'eu-west-2' })).rejects.toThrow(
      /refusing to back up in production with a keyring key: the backup key must live in AWS KMS/,
    );
    expect(bucket.objects.size).toBe(0);
  }, 120_000);

  it('is chosen by configuration, which needs the bucket region and refuses the primary region in production', () => {
    const dataDir = path.join(dir, 'cfg');
    const s = createBackupStore(loadConfig({ MOWT_DATA_DIR: dataDir, MOWT_BACKUP_S3_BUCKET: 'mowt-dr', MOWT_BACKUP_REGION: 'eu-west-1', MOWT_BACKUP_S3_PREFIX: 'eu/' }));
    expect(s.region).toBe('eu-west-1');
    expect(s.description).toBe('S3 bucket s3://mowt-dr/eu/ (eu-west-1)');
    expect(createBackupStore(loadConfig({ MOWT_DATA_DIR: dataDir })).region).toBe('local');
    expect(() => loadConfig({ MOWT_DATA_DIR: dataDir, MOWT_BACKUP_S3_BUCKET: 'mowt-dr' })).toThrow(/MOWT_BACKUP_S3_BUCKET needs MOWT_BACKUP_REGION/);
    expect(() => loadConfig({ MOWT_DATA_DIR: dataDir, MOWT_BACKUP_S3_BUCKET: 'Not_A_Bucket', MOWT_BACKUP_REGION: 'eu-west-1' })).toThrow(/MOWT_BACKUP_S3_BUCKET/);
    const production = {
      MOWT_ENV: 'production',
      DATABASE_URL: 'postgres://mowt@db.internal/mowt?sslmode=verify-full',
      KMS_KEY_ID: 'arn:aws:kms:eu-west-2:111122223333:key/abc',
      KMS_REPLICA_REGIONS: 'eu-west-1',
      KMS_TASK_ROLE_ARN: 'arn:aws:iam::111122223333:role/mowt-production-app-task',
      KMS_BREAK_GLASS_ROLE_ARN: 'arn:aws:iam::111122223333:role/mowt-production-break-glass',
      TLS_CERT_FILE: '/etc/mowt/cert.pem',
      TLS_KEY_FILE: '/etc/mowt/key.pem',
      MOWT_BASE_URL: 'https://app.mowt.com',
      MOWT_BACKUP_S3_BUCKET: 'mowt-dr',
      MOWT_DATA_DIR: dataDir,
    };
    expect(() => loadConfig({ ...production, MOWT_BACKUP_REGION: 'eu-west-2' })).toThrow(/MOWT_BACKUP_REGION must differ from the primary region eu-west-2/);
    expect(loadConfig({ ...production, MOWT_BACKUP_REGION: 'eu-west-1' }).backup.s3).toEqual({ bucket: 'mowt-dr', region: 'eu-west-1', prefix: undefined, endpoint: undefined });
  });

  it('maps GetBucketLocation answers to regions', () => {
    expect(bucketRegionOf(undefined)).toBe('us-east-1');
    expect(bucketRegionOf('EU')).toBe('eu-west-1');
    expect(bucketRegionOf('eu-west-1')).toBe('eu-west-1');
  });
});
