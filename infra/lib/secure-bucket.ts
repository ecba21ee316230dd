// Every S3 bucket Mowt owns: no public access, KMS encryption with the stage's key, TLS-only policy,
// versioning, and owner-enforced objects (no ACLs).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export function secureBucket(scope: Construct, id: string, props: { key: kms.IKey; bucketName?: string; expireAfterDays?: number }): s3.Bucket {
  return new s3.Bucket(scope, id, {
    bucketName: props.bucketName,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      { noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ...(props.expireAfterDays ? [{ expiration: Duration.days(props.expireAfterDays) }] : []),
    ],
  });
}
