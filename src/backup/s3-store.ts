// The S3 backup destination: the same five operations as the local folder, on a bucket in another region.
// Thin on purpose — retention, verification and encryption live elsewhere; this only moves bytes.
//
// - Uploads stream in parts (multipart upload, `partBytes` each, default 16 MiB; one PutObject when the
//   whole file fits in one part), so a backup of any size needs one part of memory. An object appears in
//   S3 only when CompleteMultipartUpload succeeds, and a failed upload is aborted: no half-written backups.
// - The bucket's real region is asked once (GetBucketLocation) and must equal the configured one, so a
//   mistyped MOWT_BACKUP_REGION cannot put "off-site" copies next to the primary.
// - The files are already AES-256-GCM encrypted under the KMS-held backup key; the objects are also
//   stored with server-side encryption (SSE-KMS when a key is configured, otherwise SSE-S3).
import { PassThrough, type Readable } from 'node:stream';
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
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { BACKUP_ID, FILE_SUFFIX, MANIFEST_SUFFIX, fileNameOf, manifestNameOf, type BackupStore, type StoredBackup } from './backup-store.js';
import { BackupDestinationError } from './destination-policy.js';
import { parseManifest, type BackupManifest } from './manifest.js';

export interface S3StoreOptions {
  bucket: string;
  /** The bucket's AWS region (MOWT_BACKUP_REGION). */
  region: string;
  /** Key prefix inside the bucket, e.g. "mowt/prod/"; default "mowt-backups/". */
  prefix?: string;
  /** S3-compatible endpoint (self-hosted object stores); AWS when omitted. */
  endpoint?: string;
  /** SSE-KMS key for the objects (in the bucket's region); SSE-S3 when omitted. */
  sseKmsKeyId?: string;
  /** Multipart part size; S3 requires ≥ 5 MiB for every part but the last. */
  partBytes?: number;
  /** Injected client (tests). */
  client?: S3Client;
}

const MiB = 1024 * 1024;
export const DEFAULT_PART_BYTES = 16 * MiB;

/** GetBucketLocation answers null/'' for us-east-1 and 'EU' for the oldest eu-west-1 buckets. */
export function bucketRegionOf(constraint: string | null | undefined): string {
  if (!constraint) return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

export function createS3Store(opts: S3StoreOptions): BackupStore {
  const prefix = opts.prefix ?? 'mowt-backups/';
  if (prefix !== '' && !/^[A-Za-z0-9!_.*'()/-]*\/$/.test(prefix)) throw new TypeError(`invalid S3 key prefix ${JSON.stringify(prefix)} (must end with "/")`);
  const partBytes = opts.partBytes ?? DEFAULT_PART_BYTES;
  if (partBytes < 5 * MiB) throw new RangeError('S3 multipart parts must be at least 5 MiB');
  const client = opts.client ?? new S3Client({ region: opts.region, endpoint: opts.endpoint, forcePathStyle: opts.endpoint !== undefined });
  const Bucket = opts.bucket;
  const sse: { ServerSideEncryption: ServerSideEncryption; SSEKMSKeyId?: string } = opts.sseKmsKeyId
    ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: opts.sseKmsKeyId }
    : { ServerSideEncryption: 'AES256' };
  const keyOf = (name: string) => `${prefix}${name}`;
  const fileKey = (name: string) => {
    if (!name.endsWith(FILE_SUFFIX) || !BACKUP_ID.test(name.slice(0, -FILE_SUFFIX.length))) throw new TypeError(`invalid backup file name ${JSON.stringify(name)}`);
    return keyOf(name);
  };

  let regionChecked: Promise<void> | null = null;
  const checkRegion = () =>
    (regionChecked ??= (async () => {
      if (opts.endpoint) return; // S3-compatible stores have no AWS regions to compare
      const out = await client.send(new GetBucketLocationCommand({ Bucket }));
      const actual = bucketRegionOf(out.LocationConstraint);
      if (actual !== opts.region) {
        throw new BackupDestinationError(`the backup bucket ${Bucket} is in ${actual}, not in the configured MOWT_BACKUP_REGION ${opts.region}`);
      }
    })().catch((err: unknown) => {
      regionChecked = null; // a network failure may be retried on the next call
      throw err;
    }));

  async function upload(Key: string, content: Readable): Promise<void> {
    let uploadId: string | undefined;
    const parts: { ETag: string; PartNumber: number }[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flushPart = async (body: Buffer) => {
      if (uploadId === undefined) {
        const created = await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/octet-stream', ...sse }));
        if (!created.UploadId) throw new Error(`S3 did not start a multipart upload for ${Key}`);
        uploadId = created.UploadId;
      }
      const PartNumber = parts.length + 1;
      const out = await client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }));
      if (!out.ETag) throw new Error(`S3 returned no ETag for part ${PartNumber} of ${Key}`);
      parts.push({ ETag: out.ETag, PartNumber });
    };
    try {
      for await (const chunk of content) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        pending.push(buf);
        pendingBytes += buf.length;
        while (pendingBytes >= partBytes) {
          const all = Buffer.concat(pending);
          await flushPart(all.subarray(0, partBytes));
          const rest = all.subarray(partBytes);
          pending = rest.length ? [rest] : [];
          pendingBytes = rest.length;
        }
      }
      const last = Buffer.concat(pending);
      if (uploadId === undefined) {
        // Small enough for one request: PutObject is atomic too.
        await client.send(new PutObjectCommand({ Bucket, Key, Body: last, ContentLength: last.length, ContentType: 'application/octet-stream', ...sse }));
        return;
      }
      if (last.length > 0) await flushPart(last);
      await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      // Parts of an aborted upload are discarded by S3 (and a lifecycle rule should abort leftovers).
      if (uploadId !== undefined) await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => undefined);
      content.destroy();
      throw err;
    }
  }

  async function readText(Key: string): Promise<string> {
    const out = await client.send(new GetObjectCommand({ Bucket, Key }));
    if (!out.Body) throw new Error(`S3 object ${Key} has no body`);
    return out.Body.transformToString('utf8');
  }

  return {
    description: `S3 bucket s3://${Bucket}/${prefix} (${opts.region})`,
    region: opts.region,

    async putFile(name, content) {
      await checkRegion();
      const Key = fileKey(name);
      await upload(Key, content);
      return { location: `s3://${Bucket}/${Key}` };
    },

    async putManifest(manifest: BackupManifest) {
      await checkRegion();
      const Key = keyOf(manifestNameOf(manifest.backupId));
      await client.send(new PutObjectCommand({ Bucket, Key, Body: `${JSON.stringify(manifest, null, 2)}\n`, ContentType: 'application/json', ...sse }));
      return { location: `s3://${Bucket}/${Key}` };
    },

    async list(): Promise<StoredBackup[]> {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
        for (const o of page.Contents ?? []) if (o.Key?.endsWith(MANIFEST_SUFFIX)) keys.push(o.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      const out: StoredBackup[] = [];
      for (const Key of keys) {
        try {
          const manifest = parseManifest(await readText(Key));
          if (keyOf(manifestNameOf(manifest.backupId)) !== Key) continue; // copied or renamed: not ours to trust
          out.push({ manifest, location: `s3://${Bucket}/${Key}` });
        } catch {
          // Unreadable manifests are skipped, as in the local store: only restorable backups are listed.
        }
      }
      return out.sort((a, b) => Date.parse(b.manifest.createdAt) - Date.parse(a.manifest.createdAt));
    },

    openFile(name) {
      // The store interface hands back a stream at once; the object's body is piped in when S3 answers.
      const out = new PassThrough({ highWaterMark: MiB });
      client
        .send(new GetObjectCommand({ Bucket, Key: fileKey(name) }))
        .then((res) => {
          const body = res.Body as Readable | undefined;
          if (!body || typeof body.pipe !== 'function') throw new Error(`S3 object ${name} has no readable body`);
          body.on('error', (err) => out.destroy(err));
          body.pipe(out);
        })
        .catch((err: unknown) => out.destroy(err as Error));
      return out;
    },

    async delete(backupId) {
      // Manifest first: a listed backup never lacks its file.
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(manifestNameOf(backupId)) }));
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(fileNameOf(backupId)) }));
    },
  };
}
