// One stage's primary region (eu-west-2): network, keys, database, Redis, app tier, backups, audit trail,
// alarms and health checks.
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AppTier, HEALTH_CHECK_REGIONS, appTaskRole } from './app-tier.js';
import { AuditTrail, breakGlassRole } from './audit-trail.js';
import { BackupPlan } from './backup.js';
import { Cache } from './cache.js';
import { names, type StageConfig } from './config.js';
import { Database } from './database.js';
import { allowAppUse, allowStorageUse, rotatingKey } from './keys.js';
import { Alarms, onCallTopic } from './monitoring.js';
import { Network } from './network.js';

export interface PrimaryStackProps extends StackProps {
  config: StageConfig;
}

/** Secrets the DR region needs after a failover are replicated there by Secrets Manager itself. */
export function replicatedSecretNames(c: StageConfig) {
  return { database: `mowt/${c.stage}/db-owner`, targetTls: `mowt/${c.stage}/target-tls`, app: `mowt/${c.stage}/app` };
}

export function backupBucketName(c: StageConfig): string {
  return `mowt-${c.stage}-backups-${c.account}-${c.drRegion}`;
}

export class PrimaryStack extends Stack {
  readonly appKey: kms.Key;
  readonly dataKey: kms.Key;
  readonly network: Network;
  readonly database: Database;
  readonly cache: Cache;
  readonly appTier: AppTier;
  readonly audit: AuditTrail;
  readonly backupPlan: BackupPlan;

  constructor(scope: Construct, id: string, props: PrimaryStackProps) {
    super(scope, id, props);
    const c = props.config;
    const n = names(c);
    this.tags.setTag('mowt:stage', c.stage);

    const breakGlass = breakGlassRole(this, 'BreakGlass', c.stage);
    this.dataKey = rotatingKey(this, 'DataKey', { alias: n.dataKeyAlias, description: `Mowt ${c.stage} storage key (database, backups, Redis, secrets, logs)` });
    // Multi-region: the DR region holds a replica, so data sealed here can be opened there after a failover.
    this.appKey = rotatingKey(this, 'AppKey', { alias: n.appKeyAlias, description: `Mowt ${c.stage} envelope key (KMS_KEY_ID)`, multiRegion: true });
    allowStorageUse(this.dataKey, { breakGlass });
    const taskRole = appTaskRole(this, 'AppTaskRole', { backupBucketArns: [`arn:aws:s3:::${backupBucketName(c)}`], backupRegion: c.drRegion });
    allowAppUse(this.appKey, taskRole, breakGlass);

    this.network = new Network(this, 'Network', { azs: c.primaryAzs, natGateways: c.natGateways, logKey: this.dataKey, cidr: '10.40.0.0/16' });
    const drDataKey = kms.Key.fromKeyArn(this, 'DrDataKey', `arn:aws:kms:${c.drRegion}:${c.account}:${n.dataKeyAlias}`);
    const replica = [{ region: c.drRegion, encryptionKey: drDataKey }];

    this.database = new Database(this, 'Database', {
      vpc: this.network.vpc,
      securityGroup: this.network.dbSg,
      key: this.dataKey,
      instanceClass: c.dbInstanceClass,
      clusterIdentifier: n.primaryCluster,
      globalClusterIdentifier: n.globalCluster,
      secretName: replicatedSecretNames(c).database,
      secretReplicas: replica,
    });
    this.cache = new Cache(this, 'Cache', { vpc: this.network.vpc, securityGroup: this.network.redisSg, key: this.dataKey, nodeType: c.cacheNodeType, name: `${n.prefix}-redis` });

    const targetTls = new secretsmanager.Secret(this, 'TargetTls', {
      secretName: replicatedSecretNames(c).targetTls,
      description: 'Certificate the app tasks serve to the load balancer: {"cert": PEM, "key": PEM}. Set by the operator (docs/operations.md).',
      encryptionKey: this.dataKey,
      generateSecretString: { secretStringTemplate: JSON.stringify({ cert: '', key: '' }), generateStringKey: 'unset' },
      replicaRegions: replica,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const appSecret = new secretsmanager.Secret(this, 'AppSecret', {
      secretName: replicatedSecretNames(c).app,
      description: 'Operator-set app settings: {"stripeClientId","stripeAppSecret","stripeWebhookSecret","smtpUrl"}',
      encryptionKey: this.dataKey,
      generateSecretString: { secretStringTemplate: JSON.stringify({ stripeClientId: '', stripeAppSecret: '', stripeWebhookSecret: '', smtpUrl: '' }), generateStringKey: 'unset' },
      replicaRegions: replica,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const repository = new ecr.Repository(this, 'Images', {
      repositoryName: n.ecrRepository,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ description: 'keep the last 50 images', maxImageCount: 50 }],
    });
    // Images are copied to the DR region as they are pushed, so a failover never waits for a build.
    new ecr.CfnReplicationConfiguration(this, 'ImageReplication', {
      replicationConfiguration: { rules: [{ destinations: [{ region: c.drRegion, registryId: c.account }], repositoryFilters: [{ filter: n.ecrRepository, filterType: 'PREFIX_MATCH' }] }] },
    });

    const topic = onCallTopic(this, 'OnCall', { key: this.dataKey, stage: c.stage, email: c.oncallEmail });
    this.audit = new AuditTrail(this, 'Audit', { key: this.dataKey, breakGlass, alarmTopic: topic, keyArns: [this.appKey.keyArn, this.dataKey.keyArn] });

    this.appTier = new AppTier(this, 'App', {
      config: c,
      region: c.primaryRegion,
      backupRegion: c.drRegion,
      network: this.network,
      appKey: this.appKey,
      logKey: this.dataKey,
      repository,
      secrets: { database: this.database.cluster.secret!, redisAuth: this.cache.authToken, targetTls, app: appSecret },
      databaseHost: this.database.cluster.clusterEndpoint.hostname,
      redisHost: this.cache.replicationGroup.attrPrimaryEndPointAddress,
      failover: 'PRIMARY',
      taskRole,
      backupBucketName: backupBucketName(c),
    });
    new Alarms(this, 'Alarms', { topic, alb: this.appTier.alb, web: this.appTier.webService, worker: this.appTier.workerService, cluster: this.database.cluster });
    // End to end, as customers see it (DNS, certificate, whichever region is serving).
    new route53.CfnHealthCheck(this, 'PublicHealth', {
      healthCheckConfig: { type: 'HTTPS', fullyQualifiedDomainName: c.domainName, port: 443, resourcePath: '/healthz', enableSni: true, requestInterval: 30, failureThreshold: 3, regions: HEALTH_CHECK_REGIONS },
      healthCheckTags: [{ key: 'Name', value: `mowt-${c.stage}-public` }],
    });

    this.backupPlan = new BackupPlan(this, 'Backup', {
      key: this.dataKey,
      vaultName: `${n.prefix}-vault`,
      drVaultArn: n.drVaultArn,
      resources: [backup.BackupResource.fromArn(this.database.cluster.clusterArn)],
    });
  }
}
