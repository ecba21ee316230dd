// The internet-facing part of one region: ALB (TLS 1.3 only, HTTP only redirects, HTTPS to the tasks too),
// the WAF in front of it, optional Shield Advanced, and the ECS Fargate web and worker services. Built once
// in the primary region and, during a regional failover, again in the DR region.
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as shield from 'aws-cdk-lib/aws-shield';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { StageConfig } from './config.js';
import { APP_PORT, DB_PORT, REDIS_PORT, type Network } from './network.js';

/** TLS 1.3 only (the -TLS13-1-2- policies still accept TLS 1.2). */
export const TLS_POLICY = elbv2.SslPolicy.TLS13_13;
/** The container image's user (Dockerfile `USER`): never root. */
export const CONTAINER_USER = '10001:10001';
/** Route 53 checkers: six regions on four continents (at least five are promised). */
export const HEALTH_CHECK_REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1'];

/** Names infra/scripts/failover.sh uses to stop a region's app tier. */
export const appClusterName = (stage: string, region: string) => `mowt-${stage}-${region}`;

export interface AppSecrets {
  /** The Aurora owner login (JSON: username, password). */
  database: secretsmanager.ISecret;
  redisAuth: secretsmanager.ISecret;
  /** The certificate the tasks serve to the load balancer (JSON: cert, key — PEM). */
  targetTls: secretsmanager.ISecret;
  /** Operator-set values (JSON: stripeClientId, stripeAppSecret, stripeWebhookSecret, smtpUrl). */
  app: secretsmanager.ISecret;
}

export interface AppTierProps {
  config: StageConfig;
  region: string;
  backupRegion: string;
  network: Network;
  appKey: kms.IKey;
  logKey: kms.IKey;
  repository: ecr.IRepository;
  secrets: AppSecrets;
  databaseHost: string;
  redisHost: string;
  /** Role Route 53 gives this region's record: PRIMARY normally, SECONDARY in the DR region. */
  failover: 'PRIMARY' | 'SECONDARY';
  taskRole: iam.IRole;
  backupBucketName: string;
}

export class AppTier extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly webService: ecs.FargateService;
  readonly workerService: ecs.FargateService;
  readonly webAcl: wafv2.CfnWebACL;
  readonly albHealthCheck: route53.CfnHealthCheck;

  constructor(scope: Construct, id: string, props: AppTierProps) {
    super(scope, id);
    const { config, network } = props;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: config.hostedZoneId, zoneName: config.hostedZoneName });
    const certificate = new acm.Certificate(this, 'Certificate', { domainName: config.domainName, validation: acm.CertificateValidation.fromDns(zone) });

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: network.vpc,
      internetFacing: true,
      securityGroup: network.albSg,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: true,
      http2Enabled: true,
      idleTimeout: Duration.seconds(60),
    });
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Web', {
      vpc: network.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: APP_PORT,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { protocol: elbv2.Protocol.HTTPS, path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });
    this.alb.addListener('Https', {
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: 443,
      open: false,
      sslPolicy: TLS_POLICY,
      certificates: [certificate],
      defaultTargetGroups: [this.targetGroup],
    });
    this.alb.addListener('HttpRedirect', {
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });

    this.webAcl = this.createWebAcl(config, props.logKey);
    new wafv2.CfnWebACLAssociation(this, 'WafOnAlb', { resourceArn: this.alb.loadBalancerArn, webAclArn: this.webAcl.attrArn });
    if (config.shieldAdvanced) {
      // Shield Standard protects every account automatically; Advanced needs a subscription, hence the flag.
      new shield.CfnProtection(this, 'ShieldAdvanced', { name: `mowt-${config.stage}-alb-${props.region}`, resourceArn: this.alb.loadBalancerArn });
    }

    const cluster = new ecs.Cluster(this, 'Cluster', { clusterName: appClusterName(config.stage, props.region), vpc: network.vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: props.logKey, removalPolicy: RemovalPolicy.RETAIN });
    const common = {
      MOWT_ENV: config.stage,
      MOWT_BASE_URL: `https://${config.domainName}`,
      MOWT_DATA_DIR: '/tmp/mowt',
      PORT: String(APP_PORT),
      HTTP_PORT: '8080',
      // The ALB sits in this VPC; only its X-Forwarded-For is believed.
      MOWT_TRUST_PROXY: network.vpc.vpcCidrBlock,
      KMS_KEY_ID: props.appKey.keyArn,
      // Organisation keys (src/crypto/aws-kms.ts) are multi-Region keys replicated to the other region, under a
      // key policy that lets only this task role and the break-glass role decrypt.
      KMS_REPLICA_REGIONS: props.backupRegion,
      KMS_TASK_ROLE_ARN: props.taskRole.roleArn,
      KMS_BREAK_GLASS_ROLE_ARN: `arn:aws:iam::${config.account}:role/mowt-${config.stage}-break-glass`,
      AWS_REGION: props.region,
      MOWT_PRIMARY_REGION: props.region,
      MOWT_BACKUP_REGION: props.backupRegion,
      // `mowt backup` writes encrypted snapshots to the bucket in the other region (src/backup, S3 destination).
      MOWT_BACKUP_S3_BUCKET: props.backupBucketName,
      DB_HOST: props.databaseHost,
      DB_PORT: String(DB_PORT),
      DB_NAME: 'mowt',
      REDIS_HOST: props.redisHost,
      REDIS_PORT: String(REDIS_PORT),
      TLS_CERT_FILE: '/tmp/tls/cert.pem',
      TLS_KEY_FILE: '/tmp/tls/key.pem',
      LOG_LEVEL: 'info',
    };
    const s = props.secrets;
    const secrets = {
      DB_USERNAME: ecs.Secret.fromSecretsManager(s.database, 'username'),
      DB_PASSWORD: ecs.Secret.fromSecretsManager(s.database, 'password'),
      REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(s.redisAuth),
      MOWT_TLS_CERT_PEM: ecs.Secret.fromSecretsManager(s.targetTls, 'cert'),
      MOWT_TLS_KEY_PEM: ecs.Secret.fromSecretsManager(s.targetTls, 'key'),
      MOWT_STRIPE_CLIENT_ID: ecs.Secret.fromSecretsManager(s.app, 'stripeClientId'),
      MOWT_STRIPE_APP_SECRET: ecs.Secret.fromSecretsManager(s.app, 'stripeAppSecret'),
      MOWT_STRIPE_WEBHOOK_SECRET: ecs.Secret.fromSecretsManager(s.app, 'stripeWebhookSecret'),
      SMTP_URL: ecs.Secret.fromSecretsManager(s.app, 'smtpUrl'),
    };
    const image = ecs.ContainerImage.fromEcrRepository(props.repository, config.imageTag);

    const taskDefinition = (name: string, role: 'web' | 'worker', size: { cpu: number; memoryMiB: number }) => {
      const td = new ecs.FargateTaskDefinition(this, `${name}Task`, {
        cpu: size.cpu,
        memoryLimitMiB: size.memoryMiB,
        taskRole: props.taskRole,
        runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
        // The root filesystem is read-only; this task-local volume is the only writable place.
        volumes: [{ name: 'tmp' }],
      });
      const container = td.addContainer('app', {
        image,
        command: role === 'web' ? ['start'] : ['worker'],
        user: CONTAINER_USER,
        readonlyRootFilesystem: true,
        privileged: false,
        environment: { ...common, MOWT_ROLE: role },
        secrets,
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: role }),
        linuxParameters: new ecs.LinuxParameters(this, `${name}Linux`, { initProcessEnabled: true }),
        healthCheck: role === 'web'
          ? { command: ['CMD', 'node', '/app/infra/image/healthcheck.mjs'], interval: Duration.seconds(30), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(60) }
          : undefined,
        portMappings: role === 'web' ? [{ containerPort: APP_PORT, protocol: ecs.Protocol.TCP }] : [],
        stopTimeout: Duration.seconds(60),
      });
      container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
      return td;
    };

    const service = (name: string, role: 'web' | 'worker', sg: ec2.ISecurityGroup, size: StageConfig['web']) =>
      new ecs.FargateService(this, `${name}Service`, {
        cluster,
        serviceName: role,
        taskDefinition: taskDefinition(name, role, size),
        desiredCount: size.min,
        assignPublicIp: false,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [sg],
        circuitBreaker: { enable: true, rollback: true },
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        enableExecuteCommand: false,
        propagateTags: ecs.PropagatedTagSource.SERVICE,
        healthCheckGracePeriod: role === 'web' ? Duration.seconds(90) : undefined,
      });

    this.webService = service('Web', 'web', network.webSg, config.web);
    this.webService.attachToApplicationTargetGroup(this.targetGroup);
    const webScaling = this.webService.autoScaleTaskCount({ minCapacity: config.web.min, maxCapacity: config.web.max });
    webScaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, scaleOutCooldown: Duration.seconds(60), scaleInCooldown: Duration.seconds(300) });
    webScaling.scaleOnRequestCount('Requests', { requestsPerTarget: 1000, targetGroup: this.targetGroup, scaleOutCooldown: Duration.seconds(60), scaleInCooldown: Duration.seconds(300) });

    this.workerService = service('Worker', 'worker', network.workerSg, config.worker);
    const workerScaling = this.workerService.autoScaleTaskCount({ minCapacity: config.worker.min, maxCapacity: config.worker.max });
    workerScaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, scaleOutCooldown: Duration.seconds(60), scaleInCooldown: Duration.seconds(600) });
    // Sync jobs arrive with request traffic (connects, re-syncs, webhooks): workers follow the load balancer too.
    workerScaling.scaleOnMetric('Requests', {
      metric: this.alb.metrics.requestCount({ period: Duration.minutes(1) }),
      scalingSteps: [{ upper: 5000, change: 0 }, { lower: 5000, change: +1 }, { lower: 20000, change: +2 }],
      cooldown: Duration.seconds(120),
    });

    // Health from outside AWS's region: six checker regions call /healthz on this region's load balancer.
    this.albHealthCheck = new route53.CfnHealthCheck(this, 'AlbHealth', {
      healthCheckConfig: {
        type: 'HTTPS',
        fullyQualifiedDomainName: this.alb.loadBalancerDnsName,
        port: 443,
        resourcePath: '/healthz',
        enableSni: true,
        requestInterval: 30,
        failureThreshold: 3,
        measureLatency: true,
        regions: HEALTH_CHECK_REGIONS,
      },
      healthCheckTags: [{ key: 'Name', value: `mowt-${config.stage}-${props.region}-alb` }],
    });
    new route53.CfnRecordSet(this, 'Record', {
      hostedZoneId: config.hostedZoneId,
      name: `${config.domainName}.`,
      type: 'A',
      setIdentifier: `${config.stage}-${props.region}`,
      failover: props.failover,
      healthCheckId: this.albHealthCheck.attrHealthCheckId,
      aliasTarget: { dnsName: this.alb.loadBalancerDnsName, hostedZoneId: this.alb.loadBalancerCanonicalHostedZoneId, evaluateTargetHealth: true },
    });
  }

  private createWebAcl(config: StageConfig, logKey: kms.IKey): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const managed = (name: string, priority: number) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    const acl = new wafv2.CfnWebACL(this, 'Waf', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`mowt-${config.stage}-waf`),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: config.wafRateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        managed('AWSManagedRulesAmazonIpReputationList', 3),
      ],
    });
    // WAF logs need a group named aws-waf-logs-*; cookies and Authorization are redacted before writing.
    const wafLogs = new logs.LogGroup(this, 'WafLogs', { logGroupName: `aws-waf-logs-mowt-${config.stage}-${Stack.of(this).region}`, retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logKey, removalPolicy: RemovalPolicy.RETAIN });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: wafLogs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: [{ singleHeader: { Name: 'cookie' } }, { singleHeader: { Name: 'authorization' } }],
    });
    return acl;
  }
}

/** The task role both services share: the app key (via its key policy), per-organisation keys, backups. */
export function appTaskRole(scope: Construct, id: string, opts: { backupBucketArns: string[]; backupRegion: string }): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), description: 'Mowt app tasks (web and worker)' });
  const stack = Stack.of(scope);
  // Both regions: an organisation key is a multi-Region key with a replica in the other region.
  const orgKeys = [stack.region, opts.backupRegion].map((r) => `arn:aws:kms:${r}:${stack.account}:key/*`);
  // Per-organisation keys (src/crypto/aws-kms.ts): created (and replicated: KMS checks CreateKey in the replica's
  // region) tagged with the organisation, then used, replicated and destroyed only while tagged. Their own key
  // policy (src/crypto/org-key-policy.ts) names this role again and binds its use to the organisation's context.
  role.addToPolicy(new iam.PolicyStatement({ sid: 'CreateOrganisationKeys', actions: ['kms:CreateKey', 'kms:TagResource'], resources: ['*'], conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['mowt:org', 'mowt:purpose', 'mowt:version'] }, Null: { 'aws:RequestTag/mowt:org': 'false' } } }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'UseOrganisationKeys', actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:ReplicateKey', 'kms:PutKeyPolicy'], resources: orgKeys, conditions: { Null: { 'aws:ResourceTag/mowt:org': 'false' } } }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'Backups', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:AbortMultipartUpload'], resources: opts.backupBucketArns.flatMap((a) => [a, `${a}/*`]) }));
  // The backup bucket's default encryption uses its region's storage key, reachable only through S3.
  role.addToPolicy(new iam.PolicyStatement({ sid: 'BackupBucketKey', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [`arn:aws:kms:${opts.backupRegion}:${stack.account}:key/*`], conditions: { StringEquals: { 'kms:ViaService': `s3.${opts.backupRegion}.amazonaws.com` } } }));
  return role;
}
