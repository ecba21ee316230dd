// ElastiCache Redis for the rate-limit counters every instance shares: a primary and a replica in different
// AZs, isolated subnets, TLS in transit, encrypted at rest with the stage's key, and an AUTH token kept in
// Secrets Manager (CloudFormation resolves it at deploy time; it never appears in the template).
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { REDIS_PORT } from './network.js';

export class Cache extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly authToken: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc; securityGroup: ec2.ISecurityGroup; key: kms.IKey; nodeType: string; name: string }) {
    super(scope, id);
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'Mowt Redis AUTH token',
      encryptionKey: props.key,
      // Redis AUTH tokens: 16–128 printable characters without @, " or /.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'Mowt Redis: isolated subnets',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupId: props.name,
      replicationGroupDescription: 'Mowt shared rate-limit counters',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.nodeType,
      numNodeGroups: 1,
      replicasPerNodeGroup: 1,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [props.securityGroup.securityGroupId],
      port: REDIS_PORT,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: props.key.keyArn,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: 1,
      autoMinorVersionUpgrade: true,
    });
  }
}
