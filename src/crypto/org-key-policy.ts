// The key policy every per-organisation KMS key is created with (and its replicas in the recovery region).
// Without an explicit policy KMS applies its default, which hands the whole account kms:* — then any IAM
// principal an administrator chooses could decrypt an organisation's data. Here the account may administer
// the key (so it never becomes unmanageable) but gets no cryptographic action; only the app's task role may
// use it, and only with the organisation's own encryption context; the break-glass role may Decrypt, and its
// use alarms (infra/lib/audit-trail.ts). Pure: no I/O.

export interface OrgKeyPrincipals {
  /** The app's ECS task role, which creates, uses, replicates and destroys organisation keys. */
  taskRoleArn: string;
  /** The break-glass role (assuming it and each Decrypt raise an alarm). */
  breakGlassRoleArn: string;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/** Administration without Encrypt/Decrypt/GenerateDataKey: the same list infra uses for its own keys. */
export const KEY_ADMIN_ACTIONS = [
  'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*',
  'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion', 'kms:ReplicateKey',
];

/** What the app itself does with an organisation key (src/crypto/aws-kms.ts). */
export const APP_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'];
/**
 * The app also replicates, crypto-shreds and (for KMS's lockout check at CreateKey, which requires the
 * creator to be able to PutKeyPolicy) re-states the policy of the keys it creates.
 */
export const APP_KEY_LIFECYCLE_ACTIONS = ['kms:DescribeKey', 'kms:ReplicateKey', 'kms:TagResource', 'kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'];

export function accountOf(roleArn: string): string {
  const m = ROLE_ARN.exec(roleArn);
  if (!m?.[1]) throw new RangeError(`not an IAM role ARN: ${roleArn}`);
  return m[1];
}

export function orgKeyPolicy(orgId: string, principals: OrgKeyPrincipals): string {
  const account = accountOf(principals.taskRoleArn);
  if (accountOf(principals.breakGlassRoleArn) !== account) throw new RangeError('the task role and the break-glass role must be in the same account');
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'KeyAdministrationWithoutCryptography',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: KEY_ADMIN_ACTIONS,
        Resource: '*',
      },
      {
        Sid: 'AppTaskRoleUseForThisOrganisationOnly',
        Effect: 'Allow',
        Principal: { AWS: principals.taskRoleArn },
        Action: APP_KEY_ACTIONS,
        Resource: '*',
        // Every data-key call must name this organisation in its encryption context (a call without one fails).
        Condition: { StringEquals: { 'kms:EncryptionContext:org': orgId } },
      },
      {
        Sid: 'AppTaskRoleLifecycle',
        Effect: 'Allow',
        Principal: { AWS: principals.taskRoleArn },
        Action: APP_KEY_LIFECYCLE_ACTIONS,
        Resource: '*',
      },
      {
        Sid: 'BreakGlassDecryptAlarmed',
        Effect: 'Allow',
        Principal: { AWS: principals.breakGlassRoleArn },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
      },
    ],
  };
  return JSON.stringify(policy);
}
