// Customer-managed KMS keys with explicit key policies. The account root may administer a key (so it can
// never become unmanageable) but administration excludes every cryptographic action: only the principals
// named here can Encrypt/Decrypt with it.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Rotation every 90 days, the promise in the security page (KMS keeps old versions for decryption). */
export const KEY_ROTATION_DAYS = 90;

export const ADMIN_ACTIONS = [
  'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*',
  'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion', 'kms:ReplicateKey',
];

export const USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** Services that may use the storage key on behalf of principals IAM already lets use them. */
const STORAGE_SERVICES = ['rds', 'secretsmanager', 'elasticache', 's3', 'backup', 'ecr'];

export function rotatingKey(scope: Construct, id: string, props: { alias: string; description: string; multiRegion?: boolean }): kms.Key {
  const key = new kms.Key(scope, id, {
    alias: props.alias,
    description: props.description,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(KEY_ROTATION_DAYS),
    multiRegion: props.multiRegion,
    removalPolicy: RemovalPolicy.RETAIN,
    pendingWindow: Duration.days(30),
    policy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministrationWithoutCryptography',
          principals: [new iam.AccountRootPrincipal()],
          actions: ADMIN_ACTIONS,
          resources: ['*'],
        }),
      ],
    }),
  });
  return key;
}

/** The app's envelope key (KMS_KEY_ID): Decrypt only for the app task role and the break-glass role. */
export function allowAppUse(key: kms.IKey, taskRole: iam.IRole, breakGlass: iam.IRole): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AppTaskRoleUse',
    principals: [taskRole],
    actions: USE_ACTIONS,
    resources: ['*'],
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'BreakGlassDecryptAlarmed',
    principals: [breakGlass],
    actions: ['kms:Decrypt', 'kms:DescribeKey'],
    resources: ['*'],
  }));
}

/**
 * The storage key (Aurora, backups, Redis, secrets, S3, logs, SNS): usable only through those AWS services in
 * this account, plus the log and notification services that write with it. Tenant fields inside the database
 * are sealed again by the app key, so a snapshot read through RDS still shows ciphertext.
 */
export function allowStorageUse(key: kms.IKey, opts: { breakGlass: iam.IRole }): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'UseThroughAwsStorageServices',
    principals: [new iam.AnyPrincipal()],
    actions: [...USE_ACTIONS, 'kms:CreateGrant', 'kms:ListGrants'],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'kms:CallerAccount': stack.account,
        'kms:ViaService': STORAGE_SERVICES.map((s) => `${s}.${stack.region}.amazonaws.com`),
      },
    },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogsEncryption',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stack.region}:${stack.account}:*` } },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AlarmsAndEventsPublishToEncryptedTopics',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'BreakGlassDecryptAlarmed',
    principals: [opts.breakGlass],
    actions: ['kms:Decrypt', 'kms:DescribeKey'],
    resources: ['*'],
  }));
}
