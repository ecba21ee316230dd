// One stage's disaster-recovery region (eu-west-1): the global database's secondary cluster, the replica of
// the app's envelope key, the vault AWS Backup copies into, the app's own backup bucket, and — only while
// `mowt:drActive` is set during a failover — a complete app tier serving from the promoted cluster.
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AppTier, appTaskRole } from './app-tier.js';
import { Cache } from './cache.js';
import { names, type StageConfig } from './config.js';
import { SecondaryDatabase } from './database.js';
import { ADMIN_ACTIONS, USE_ACTIONS, allowStorageUse, rotatingKey } from './keys.js';
import { globalLagAlarm, onCallTopic } from './monitoring.js';
import { Network } from './network.js';
import { backupBucketName, replicatedSecretNames } from './primary-stack.js';
import { secureBucket } from './secure-bucket.js';

export interface DrStackProps extends StackProps {
  config: StageConfig;
  /** The primary region's multi-region app key (a cross-region reference). */
  primaryAppKeyArn: string;
}

export class DrStack extends Stack {
  readonly dataKey: kms.Key;
  readonly appKeyReplica: kms.CfnReplicaKey;
  readonly network: Network;
  readonly database: SecondaryDatabase;
  readonly vault: backup.BackupVault;
  readonly appTier?: AppTier;

  constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    const c = props.config;
    const n = names(c);
    this.tags.setTag('mowt:stage', c.stage);
    // IAM is global: the primary stack's break-glass role is the same one here.
    const breakGlass = iam.Role.fromRoleName(this, 'BreakGlass', `mowt-${c.stage}-break-glass`);
    this.dataKey = rotatingKey(this, 'DataKey', { alias: n.dataKeyAlias, description: `Mowt ${c.stage} DR storage key` });
    allowStorageUse(this.dataKey, { breakGlass });
    const taskRole = appTaskRole(this, 'AppTaskRole', { backupBucketArns: [`arn:aws:s3:::${backupBucketName(c)}`], backupRegion: c.drRegion });

    // Replica keys share the primary's key material and its 90-day rotation; the policy is set per region.
    this.appKeyReplica = new kms.CfnReplicaKey(this, 'AppKeyReplica', {
      primaryKeyArn: props.primaryAppKeyArn,
      description: `Mowt ${c.stage} envelope key (replica of the primary region's KMS_KEY_ID)`,
      pendingWindowInDays: 30,
      keyPolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'KeyAdministrationWithoutCryptography', principals: [new iam.AccountRootPrincipal()], actions: ADMIN_ACTIONS, resources: ['*'] }),
          new iam.PolicyStatement({ sid: 'AppTaskRoleUse', principals: [taskRole], actions: USE_ACTIONS, resources: ['*'] }),
          new iam.PolicyStatement({ sid: 'BreakGlassDecryptAlarmed', principals: [breakGlass], actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: ['*'] }),
        ],
      }),
    });
    this.appKeyReplica.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new kms.CfnAlias(this, 'AppKeyReplicaAlias', { aliasName: n.appKeyAlias, targetKeyId: this.appKeyReplica.attrKeyId });

    this.network = new Network(this, 'Network', { azs: c.drAzs, natGateways: c.drActive ? c.natGateways : 1, logKey: this.dataKey, cidr: '10.41.0.0/16' });
    this.database = new SecondaryDatabase(this, 'Database', {
      vpc: this.network.vpc,
      securityGroup: this.network.dbSg,
      key: this.dataKey,
      instanceClass: c.dbInstanceClass,
      clusterIdentifier: n.secondaryCluster,
      globalClusterIdentifier: n.globalCluster,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: n.drVault,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: { minRetention: Duration.days(30) },
      blockRecoveryPointDeletion: true,
    });
    // The app's own encrypted snapshots (`mowt backup`) land in this region, away from the primary.
    secureBucket(this, 'AppBackups', { key: this.dataKey, bucketName: backupBucketName(c), expireAfterDays: 400 });

    const topic = onCallTopic(this, 'OnCall', { key: this.dataKey, stage: c.stage, email: c.oncallEmail });
    globalLagAlarm(this, 'GlobalReplicationLag', topic, n.secondaryCluster);

    if (c.drActive) {
      const cache = new Cache(this, 'Cache', { vpc: this.network.vpc, securityGroup: this.network.redisSg, key: this.dataKey, nodeType: c.cacheNodeType, name: `${n.prefix}-redis-dr` });
      const secret = (id: string, name: string) => secretsmanager.Secret.fromSecretNameV2(this, id, name);
      const s = replicatedSecretNames(c);
      this.appTier = new AppTier(this, 'App', {
        config: c,
        region: c.drRegion,
        backupRegion: c.primaryRegion,
        network: this.network,
        appKey: kms.Key.fromKeyArn(this, 'AppKey', `arn:aws:kms:${c.drRegion}:${c.account}:key/${this.appKeyReplica.attrKeyId}`),
        logKey: this.dataKey,
        repository: ecr.Repository.fromRepositoryName(this, 'Images', n.ecrRepository),
        secrets: { database: secret('DbSecret', s.database), redisAuth: cache.authToken, targetTls: secret('TargetTls', s.targetTls), app: secret('AppSecret', s.app) },
        databaseHost: this.database.cluster.attrEndpointAddress,
        redisHost: cache.replicationGroup.attrPrimaryEndPointAddress,
        failover: 'SECONDARY',
        taskRole,
        backupBucketName: backupBucketName(c),
      });
    }
  }
}
