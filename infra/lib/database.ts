// Aurora PostgreSQL: writer and reader in different AZs (Multi-AZ), storage sealed with the stage's KMS key,
// TLS required, deletion protection, 30 days of point-in-time backups, and an Aurora Global Database whose
// secondary cluster lives in the DR region (typical lag under a second: RPO ≤ 15 minutes with margin).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_16_8;
export const PARAMETER_FAMILY = 'aurora-postgresql16';
export const BACKUP_RETENTION_DAYS = 30;
export const DATABASE_NAME = 'mowt';
/** Settings both regions' clusters share, so a promoted secondary behaves like the old primary. */
export const CLUSTER_PARAMETERS: Record<string, string> = {
  'rds.force_ssl': '1',
  // Connections and slow statements are logged (CloudWatch Logs); statement text is not, it may hold data.
  log_connections: '1',
  log_disconnections: '1',
  log_min_duration_statement: '2000',
};

export interface DatabaseProps {
  vpc: ec2.IVpc;
  securityGroup: ec2.ISecurityGroup;
  key: kms.IKey;
  instanceClass: string;
  clusterIdentifier: string;
  globalClusterIdentifier: string;
  secretName: string;
  /** The owner login is replicated to the DR region, where the promoted secondary accepts the same password. */
  secretReplicas: secretsmanager.ReplicaRegion[];
}

export class Database extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly globalCluster: rds.CfnGlobalCluster;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: ENGINE_VERSION });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', { engine, parameters: CLUSTER_PARAMETERS });
    const instanceType = new ec2.InstanceType(props.instanceClass.replace(/^db\./, ''));
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier: props.clusterIdentifier,
      defaultDatabaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret('mowt_owner', { encryptionKey: props.key, secretName: props.secretName, replicaRegions: props.secretReplicas }),
      writer: rds.ClusterInstance.provisioned('Writer', { instanceType, publiclyAccessible: false, enablePerformanceInsights: true, performanceInsightEncryptionKey: props.key }),
      // A reader in another AZ: Aurora promotes it within about 30 s if the writer's AZ fails.
      readers: [rds.ClusterInstance.provisioned('Reader', { instanceType, publiclyAccessible: false, enablePerformanceInsights: true, performanceInsightEncryptionKey: props.key })],
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      storageEncrypted: true,
      storageEncryptionKey: props.key,
      parameterGroup,
      deletionProtection: true,
      backup: { retention: Duration.days(BACKUP_RETENTION_DAYS), preferredWindow: '01:00-02:00' },
      preferredMaintenanceWindow: 'sun:03:00-sun:04:00',
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: 365,
      iamAuthentication: true,
      monitoringInterval: Duration.seconds(60),
      copyTagsToSnapshot: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.globalCluster = new rds.CfnGlobalCluster(this, 'Global', {
      globalClusterIdentifier: props.globalClusterIdentifier,
      sourceDbClusterIdentifier: this.cluster.clusterArn,
      deletionProtection: true,
    });
  }
}

export interface SecondaryDatabaseProps {
  vpc: ec2.IVpc;
  securityGroup: ec2.ISecurityGroup;
  key: kms.IKey;
  instanceClass: string;
  clusterIdentifier: string;
  globalClusterIdentifier: string;
}

/** The DR region's member of the global database: read-only until failover.sh promotes it. */
export class SecondaryDatabase extends Construct {
  readonly cluster: rds.CfnDBCluster;

  constructor(scope: Construct, id: string, props: SecondaryDatabaseProps) {
    super(scope, id);
    const subnets = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      description: 'Mowt DR database: isolated subnets',
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    const parameters = new rds.CfnDBClusterParameterGroup(this, 'Parameters', {
      family: PARAMETER_FAMILY,
      description: 'Mowt DR cluster: same settings as the primary',
      parameters: CLUSTER_PARAMETERS,
    });
    // No master user: a global secondary inherits the primary's users (and their passwords) by replication.
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      dbClusterIdentifier: props.clusterIdentifier,
      globalClusterIdentifier: props.globalClusterIdentifier,
      engine: 'aurora-postgresql',
      engineVersion: ENGINE_VERSION.auroraPostgresFullVersion,
      storageEncrypted: true,
      kmsKeyId: props.key.keyArn,
      dbSubnetGroupName: subnets.subnetGroupName,
      vpcSecurityGroupIds: [props.securityGroup.securityGroupId],
      dbClusterParameterGroupName: parameters.ref,
      deletionProtection: true,
      backupRetentionPeriod: BACKUP_RETENTION_DAYS,
      enableCloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    const instance = new rds.CfnDBInstance(this, 'Instance', {
      dbClusterIdentifier: this.cluster.ref,
      dbInstanceClass: props.instanceClass,
      engine: 'aurora-postgresql',
      publiclyAccessible: false,
    });
    instance.addResourceDependency(this.cluster);
  }
}
