// Every promise of the production infrastructure, checked on the synthesised CloudFormation. Each stage is
// synthesised once (beforeAll); the Shield flag gets a second, production-only app.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, buildStage } from './lib/stages.js';

type Resource = { Type: string; Properties?: Record<string, unknown> };
let prod: Template;
let prodDr: Template;
let staging: Template;
let stagingDr: Template;
let accounts: { staging: string; production: string };

beforeAll(() => {
  const app = new App();
  const built = buildApp(app);
  prod = Template.fromStack(built.production!.primary);
  prodDr = Template.fromStack(built.production!.dr);
  staging = Template.fromStack(built.staging!.primary);
  stagingDr = Template.fromStack(built.staging!.dr);
  accounts = { staging: built.staging!.primary.account, production: built.production!.primary.account };
}, 120_000);

const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, Resource][];
const one = (t: Template, type: string, props?: object): [string, Resource] => {
  const found = Object.entries(t.findResources(type, props ? { Properties: props } : undefined)) as [string, Resource][];
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0]!;
};
const sgId = (t: Template, description: RegExp) => one(t, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp(description.source) })[0];
/** Inline and standalone ingress rules of one security group. */
function ingress(t: Template, logicalId: string): Record<string, unknown>[] {
  const sg = t.toJSON().Resources[logicalId] as Resource;
  const inline = (sg.Properties?.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? [];
  const standalone = resources(t, 'AWS::EC2::SecurityGroupIngress')
    .map(([, r]) => r.Properties!)
    .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'GroupId'] }));
  return [...inline, ...standalone];
}
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });

describe('regions and network', () => {
  it('puts each stage in eu-west-2 with its DR stack in eu-west-1', () => {
    expect(JSON.stringify(prod.toJSON())).toContain('eu-west-2a');
    for (const t of [prod, staging]) {
      const azs = new Set(resources(t, 'AWS::EC2::Subnet').map(([, r]) => r.Properties!.AvailabilityZone));
      expect([...azs].sort()).toEqual(['eu-west-2a', 'eu-west-2b', 'eu-west-2c']);
    }
    const drAzs = new Set(resources(prodDr, 'AWS::EC2::Subnet').map(([, r]) => r.Properties!.AvailabilityZone));
    expect([...drAzs].sort()).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('has public, private (app) and isolated (data) subnets in each of the three AZs, and logs every flow', () => {
    const subnets = resources(prod, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(9);
    const types = subnets.map(([, r]) => (r.Properties!.Tags as { Key: string; Value: string }[]).find((t) => t.Key === 'aws-cdk:subnet-type')!.Value);
    expect(types.filter((t) => t === 'Public')).toHaveLength(3);
    expect(types.filter((t) => t === 'Private')).toHaveLength(3);
    expect(types.filter((t) => t === 'Isolated')).toHaveLength(3);
    // No subnet hands out public addresses by default.
    for (const [, s] of subnets) expect(s.Properties!.MapPublicIpOnLaunch ?? false).toBe(false);
    prod.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    prodDr.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
  });

  it('never gives a task a public IP and runs tasks only in the private app subnets', () => {
    const services = resources(prod, 'AWS::ECS::Service');
    expect(services).toHaveLength(2);
    const privateSubnets = resources(prod, 'AWS::EC2::Subnet')
      .filter(([, r]) => JSON.stringify(r.Properties!.Tags).includes('"Private"'))
      .map(([id]) => id)
      .sort();
    for (const [, s] of services) {
      const net = (s.Properties!.NetworkConfiguration as { AwsvpcConfiguration: { AssignPublicIp: string; Subnets: { Ref: string }[] } }).AwsvpcConfiguration;
      expect(net.AssignPublicIp).toBe('DISABLED');
      expect(net.Subnets.map((x) => x.Ref).sort()).toEqual(privateSubnets);
    }
  });

  it('lets only the app reach the database and Redis, only the load balancer reach the app, and nothing reach the worker', () => {
    for (const t of [prod, staging]) {
      const [alb, web, worker, db, redis] = [/^Mowt load balancer/, /^Mowt web tasks/, /^Mowt worker tasks/, /^Mowt database/, /^Mowt Redis/].map((d) => sgId(t, d));
      const dbRules = ingress(t, db!);
      expect(dbRules).toHaveLength(2);
      for (const r of dbRules) {
        expect(r).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
        expect(r.CidrIp).toBeUndefined();
      }
      expect(dbRules.map((r) => r.SourceSecurityGroupId)).toEqual(expect.arrayContaining([getAtt(web!), getAtt(worker!)]));
      const redisRules = ingress(t, redis!);
      expect(redisRules.map((r) => r.SourceSecurityGroupId)).toEqual(expect.arrayContaining([getAtt(web!), getAtt(worker!)]));
      expect(redisRules.every((r) => r.FromPort === 6379 && r.CidrIp === undefined)).toBe(true);
      const webRules = ingress(t, web!);
      expect(webRules).toEqual([expect.objectContaining({ FromPort: 8443, ToPort: 8443, SourceSecurityGroupId: getAtt(alb!) })]);
      expect(ingress(t, worker!)).toEqual([]);
      expect(ingress(t, alb!).map((r) => [r.CidrIp, r.FromPort]).sort()).toEqual([['0.0.0.0/0', 443], ['0.0.0.0/0', 80]]);
    }
  });
});

describe('load balancer, WAF, Shield', () => {
  it('accepts TLS 1.3 only on 443 and reaches the tasks over HTTPS', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Protocol: 'HTTPS', Port: 8443, HealthCheckProtocol: 'HTTPS', HealthCheckPath: '/healthz', TargetType: 'ip' });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
  });

  it('answers port 80 with nothing but a permanent redirect to HTTPS', () => {
    const [, http] = one(prod, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 80 });
    expect(http.Properties!.Protocol).toBe('HTTP');
    expect(http.Properties!.DefaultActions).toEqual([{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }]);
    expect(resources(prod, 'AWS::ElasticLoadBalancingV2::ListenerRule')).toEqual([]);
  });

  it('puts a WAF with a per-IP rate rule and the AWS common and known-bad-inputs rule sets on the load balancer', () => {
    const [aclId, acl] = one(prod, 'AWS::WAFv2::WebACL');
    expect(acl.Properties!.Scope).toBe('REGIONAL');
    const rules = acl.Properties!.Rules as { Name: string; Statement: Record<string, { Name?: string; Limit?: number; AggregateKeyType?: string }> }[];
    expect(rules.find((r) => r.Statement.RateBasedStatement)?.Statement.RateBasedStatement).toMatchObject({ Limit: 2000, AggregateKeyType: 'IP' });
    const managed = rules.map((r) => r.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean);
    expect(managed).toEqual(expect.arrayContaining(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']));
    const [albId] = one(prod, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    prod.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: { Ref: albId }, WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] } });
    prod.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'cookie' } }]) });
  });

  it('adds Shield Advanced only when the flag is set', () => {
    expect(resources(prod, 'AWS::Shield::Protection')).toEqual([]);
    const app = new App({ context: { 'mowt:production:shieldAdvanced': 'true' } });
    const shielded = Template.fromStack(buildStage(app, 'production').primary);
    const [albId] = one(shielded, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    shielded.hasResourceProperties('AWS::Shield::Protection', { ResourceArn: { Ref: albId } });
  }, 120_000);
});

describe('ECS services', () => {
  it('runs web and worker with a read-only root filesystem, as a non-root user, secrets from Secrets Manager', () => {
    const defs = resources(prod, 'AWS::ECS::TaskDefinition');
    expect(defs).toHaveLength(2);
    const roles = new Set<string>();
    for (const [, d] of defs) {
      const [c] = d.Properties!.ContainerDefinitions as Record<string, unknown>[];
      expect(c!.ReadonlyRootFilesystem).toBe(true);
      expect(c!.User).toBe('10001:10001');
      expect(c!.Privileged).toBe(false);
      const env = c!.Environment as { Name: string; Value: unknown }[];
      roles.add(String(env.find((e) => e.Name === 'MOWT_ROLE')!.Value));
      // No credential travels as a plain environment variable: they are all ECS secrets.
      expect(env.map((e) => e.Name).filter((n) => /PASSWORD|SECRET|TOKEN|_PEM$/.test(n))).toEqual([]);
      const secrets = c!.Secrets as { Name: string; ValueFrom: unknown }[];
      expect(secrets.map((s) => s.Name)).toEqual(expect.arrayContaining(['DB_PASSWORD', 'REDIS_AUTH_TOKEN', 'MOWT_TLS_KEY_PEM', 'MOWT_STRIPE_APP_SECRET']));
      expect(JSON.stringify(secrets)).not.toMatch(/ssm|parameter/);
      // The only writable place is the task-local /tmp volume.
      expect(c!.MountPoints).toEqual([{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' }]);
    }
    expect([...roles].sort()).toEqual(['web', 'worker']);
  });

  it('scales the web tier on CPU and on requests per target, and the workers on CPU', () => {
    const policies = resources(prod, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, p]) => p.Properties!);
    const metrics = policies.map((p) => (p.TargetTrackingScalingPolicyConfiguration as { PredefinedMetricSpecification?: { PredefinedMetricType: string } } | undefined)?.PredefinedMetricSpecification?.PredefinedMetricType);
    expect(metrics.filter((m) => m === 'ECSServiceAverageCPUUtilization')).toHaveLength(2);
    expect(metrics).toContain('ALBRequestCountPerTarget');
    expect(resources(prod, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([, t]) => [t.Properties!.MinCapacity, t.Properties!.MaxCapacity]).sort()).toEqual([[2, 6], [3, 12]]);
  });
});

describe('database', () => {
  it('is Aurora PostgreSQL across two AZs, encrypted with the stage key, deletion-protected, 30-day backups, isolated', () => {
    const [keyId] = one(prod, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('storage key') });
    prod.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      DeletionProtection: true,
      BackupRetentionPeriod: 30,
    });
    const instances = resources(prod, 'AWS::RDS::DBInstance');
    expect(instances).toHaveLength(2);
    for (const [, i] of instances) expect(i.Properties!.PubliclyAccessible).toBe(false);
    const [, subnets] = one(prod, 'AWS::RDS::DBSubnetGroup');
    const isolated = resources(prod, 'AWS::EC2::Subnet').filter(([, r]) => JSON.stringify(r.Properties!.Tags).includes('"Isolated"')).map(([id]) => id).sort();
    expect((subnets.Properties!.SubnetIds as { Ref: string }[]).map((s) => s.Ref).sort()).toEqual(isolated);
  });

  it('requires TLS on every connection (rds.force_ssl) in both regions', () => {
    prod.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: Match.objectLike({ 'rds.force_ssl': '1' }) });
    prodDr.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: Match.objectLike({ 'rds.force_ssl': '1' }) });
  });

  it('replicates continuously to eu-west-1 as an Aurora Global Database, encrypted there too', () => {
    prod.hasResourceProperties('AWS::RDS::GlobalCluster', { GlobalClusterIdentifier: 'mowt-production-global', DeletionProtection: true, SourceDBClusterIdentifier: Match.anyValue() });
    prodDr.hasResourceProperties('AWS::RDS::DBCluster', {
      GlobalClusterIdentifier: 'mowt-production-global',
      StorageEncrypted: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 30,
      MasterUsername: Match.absent(),
    });
    prodDr.resourceCountIs('AWS::RDS::DBInstance', 1);
  });
});

describe('backups', () => {
  it('keeps daily backups 30 days and weekly ones a year, each copied to the eu-west-1 vault', () => {
    const [, plan] = one(prod, 'AWS::Backup::BackupPlan');
    const rules = (plan.Properties!.BackupPlan as { BackupPlanRule: Record<string, unknown>[] }).BackupPlanRule;
    const byName = Object.fromEntries(rules.map((r) => [r.RuleName, r]));
    expect(byName.daily).toMatchObject({ Lifecycle: { DeleteAfterDays: 30 }, CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:eu-west-1:222222222222:backup-vault:mowt-production-dr-vault', Lifecycle: { DeleteAfterDays: 30 } }] });
    expect(byName.weekly).toMatchObject({ Lifecycle: { DeleteAfterDays: 365 }, CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:eu-west-1:222222222222:backup-vault:mowt-production-dr-vault', Lifecycle: { DeleteAfterDays: 365 } }] });
    expect(String(byName.weekly!.ScheduleExpression)).toMatch(/SUN/);
    // The copy target exists in the DR stack, under the name the plan uses, encrypted and locked.
    prodDr.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'mowt-production-dr-vault', EncryptionKeyArn: Match.anyValue(), LockConfiguration: { MinRetentionDays: 30 } });
    const [clusterId] = one(prod, 'AWS::RDS::DBCluster');
    prod.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: Match.objectLike({ Resources: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: clusterId }])]) })]) }) });
  });
});

describe('Redis', () => {
  it('is a replication group in isolated subnets with TLS, at-rest encryption and an AUTH token from Secrets Manager', () => {
    const [, rg] = one(prod, 'AWS::ElastiCache::ReplicationGroup');
    expect(rg.Properties).toMatchObject({ TransitEncryptionEnabled: true, TransitEncryptionMode: 'required', AtRestEncryptionEnabled: true, MultiAZEnabled: true, AutomaticFailoverEnabled: true });
    expect(JSON.stringify(rg.Properties!.AuthToken)).toContain('{{resolve:secretsmanager:');
    const isolated = resources(prod, 'AWS::EC2::Subnet').filter(([, r]) => JSON.stringify(r.Properties!.Tags).includes('"Isolated"')).map(([id]) => id).sort();
    const [, sg] = one(prod, 'AWS::ElastiCache::SubnetGroup');
    expect((sg.Properties!.SubnetIds as { Ref: string }[]).map((s) => s.Ref).sort()).toEqual(isolated);
  });
});

describe('KMS', () => {
  it('rotates every customer-managed key every 90 days, in every stack', () => {
    for (const t of [prod, prodDr, staging, stagingDr]) {
      const keys = resources(t, 'AWS::KMS::Key');
      expect(keys.length).toBeGreaterThan(0);
      for (const [, k] of keys) expect(k.Properties).toMatchObject({ EnableKeyRotation: true, RotationPeriodInDays: 90 });
    }
    prod.hasResourceProperties('AWS::KMS::Key', { MultiRegion: true, Description: Match.stringLikeRegexp('envelope key') });
  });

  it("lets only the app task role and the break-glass role decrypt with the app's envelope key", () => {
    for (const t of [prod, staging]) {
      const [, key] = one(t, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('envelope key') });
      const [taskRoleId] = one(t, 'AWS::IAM::Role', { Description: 'Mowt app tasks (web and worker)' });
      const [breakGlassId] = one(t, 'AWS::IAM::Role', { RoleName: Match.stringLikeRegexp('break-glass') });
      const statements = (key.Properties!.KeyPolicy as { Statement: { Action: string | string[]; Principal: { AWS: unknown } }[] }).Statement;
      const canDecrypt = statements.filter((s) => [s.Action].flat().some((a) => a === 'kms:*' || a === 'kms:Decrypt' || a === 'kms:Decrypt*'));
      expect(canDecrypt.map((s) => s.Principal.AWS)).toEqual([{ 'Fn::GetAtt': [taskRoleId, 'Arn'] }, { 'Fn::GetAtt': [breakGlassId, 'Arn'] }]);
      // Administration (by the account) never includes cryptographic use.
      const admin = statements.find((s) => JSON.stringify(s.Principal).includes(':root'))!;
      expect([admin.Action].flat().some((a) => /Encrypt|Decrypt|GenerateDataKey|kms:\*/.test(a))).toBe(false);
    }
    // The DR replica of the key has the same restriction.
    const [, replica] = one(prodDr, 'AWS::KMS::ReplicaKey');
    const replicaDecrypt = (replica.Properties!.KeyPolicy as { Statement: { Sid: string; Action: string | string[] }[] }).Statement.filter((s) => [s.Action].flat().includes('kms:Decrypt'));
    expect(replicaDecrypt.map((s) => s.Sid)).toEqual(['AppTaskRoleUse', 'BreakGlassDecryptAlarmed']);
  });

  it('makes organisation keys multi-Region with a replica in the other region, under a policy naming the task and break-glass roles', () => {
    const [taskRoleId] = one(prod, 'AWS::IAM::Role', { Description: 'Mowt app tasks (web and worker)' });
    for (const [, d] of resources(prod, 'AWS::ECS::TaskDefinition')) {
      const env = new Map(((d.Properties!.ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[])[0]!.Environment).map((e) => [e.Name, e.Value]));
      expect(env.get('KMS_REPLICA_REGIONS')).toBe('eu-west-1');
      expect(env.get('KMS_TASK_ROLE_ARN')).toEqual({ 'Fn::GetAtt': [taskRoleId, 'Arn'] });
      expect(env.get('KMS_BREAK_GLASS_ROLE_ARN')).toBe(`arn:aws:iam::${accounts.production}:role/mowt-production-break-glass`);
    }
    // The task role may use, replicate and destroy tagged organisation keys in both regions, and nothing untagged.
    const policies = resources(prod, 'AWS::IAM::Policy').flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: { Sid?: string; Resource: unknown; Action: string[]; Condition?: unknown }[] }).Statement);
    const use = policies.find((st) => st.Sid === 'UseOrganisationKeys')!;
    expect(JSON.stringify(use.Resource)).toContain(':eu-west-2:');
    expect(JSON.stringify(use.Resource)).toContain(':eu-west-1:');
    expect(use.Action).toEqual(expect.arrayContaining(['kms:ReplicateKey', 'kms:DisableKey', 'kms:ScheduleKeyDeletion']));
    expect(use.Condition).toEqual({ Null: { 'aws:ResourceTag/mowt:org': 'false' } });
  });

  it('pages on-call when the break-glass role is assumed or used', () => {
    const [topicId] = one(prod, 'AWS::SNS::Topic');
    prod.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.sts'], detail: { eventName: ['AssumeRole'], requestParameters: { roleArn: Match.anyValue() } } },
      Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
    });
    prod.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.kms'], detail: Match.objectLike({ eventName: ['Decrypt'] }) }), Targets: [Match.objectLike({ Arn: { Ref: topicId } })] });
    prod.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'BreakGlassApiCalls', AlarmActions: [{ Ref: topicId }] });
    prod.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'mowt-production-break-glass',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })] },
    });
  });
});

describe('audit trail and storage', () => {
  it('runs CloudTrail in every region with log file validation, KMS-encrypted', () => {
    prod.hasResourceProperties('AWS::CloudTrail::Trail', { IsMultiRegionTrail: true, EnableLogFileValidation: true, IncludeGlobalServiceEvents: true, KMSKeyId: Match.anyValue() });
  });

  it('blocks public access, encrypts with KMS, allows only TLS and versions every bucket', () => {
    for (const t of [prod, prodDr, staging, stagingDr]) {
      const buckets = resources(t, 'AWS::S3::Bucket');
      expect(buckets.length).toBeGreaterThan(0);
      for (const [id, b] of buckets) {
        expect(b.Properties).toMatchObject({
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
          VersioningConfiguration: { Status: 'Enabled' },
        });
        t.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: id },
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
        });
      }
    }
  });
});

describe('monitoring', () => {
  it('alarms on 5xx rate, latency, CPU, free storage and replica lag, to the on-call topic', () => {
    const [topicId] = one(prod, 'AWS::SNS::Topic');
    const alarms = resources(prod, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const toOnCall = alarms.filter((a) => JSON.stringify(a.AlarmActions) === JSON.stringify([{ Ref: topicId }]));
    const metricNames = toOnCall.flatMap((a) => [a.MetricName, ...((a.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[] | undefined) ?? []).map((m) => m.MetricStat?.Metric.MetricName)]);
    expect(metricNames).toEqual(expect.arrayContaining(['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count', 'TargetResponseTime', 'CPUUtilization', 'FreeLocalStorage', 'AuroraReplicaLagMaximum']));
    expect(toOnCall.filter((a) => a.MetricName === 'CPUUtilization').length).toBeGreaterThanOrEqual(3);
    const [drTopic] = one(prodDr, 'AWS::SNS::Topic');
    prodDr.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AuroraGlobalDBReplicationLag', AlarmActions: [{ Ref: drTopic }], TreatMissingData: 'breaching' });
  });

  it('checks /healthz over HTTPS from at least five regions', () => {
    const checks = resources(prod, 'AWS::Route53::HealthCheck').map(([, h]) => h.Properties!.HealthCheckConfig as { Type: string; ResourcePath: string; Regions: string[] });
    expect(checks.length).toBeGreaterThanOrEqual(1);
    for (const c of checks) {
      expect(c).toMatchObject({ Type: 'HTTPS', ResourcePath: '/healthz' });
      expect(new Set(c.Regions).size).toBeGreaterThanOrEqual(5);
    }
  });
});

describe('staging and production are separate', () => {
  it('use different accounts, their own keys, names and data', () => {
    expect(accounts.staging).not.toBe(accounts.production);
    const s = JSON.stringify([staging.toJSON(), stagingDr.toJSON()]);
    const p = JSON.stringify([prod.toJSON(), prodDr.toJSON()]);
    expect(s).not.toContain(accounts.production);
    expect(s).not.toContain('mowt-production');
    expect(p).not.toContain(accounts.staging);
    expect(p).not.toContain('mowt-staging');
    // Each stage has its own KMS keys, database, trail and backup vault.
    for (const t of [staging, prod]) {
      t.resourceCountIs('AWS::KMS::Key', 2);
      t.resourceCountIs('AWS::RDS::DBCluster', 1);
      t.resourceCountIs('AWS::CloudTrail::Trail', 1);
      t.resourceCountIs('AWS::Backup::BackupVault', 1);
    }
    staging.hasResourceProperties('AWS::RDS::GlobalCluster', { GlobalClusterIdentifier: 'mowt-staging-global' });
    staging.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'MOWT_ENV', Value: 'staging' }]) })] });
    prod.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'MOWT_ENV', Value: 'production' }]) })] });
  });
});
