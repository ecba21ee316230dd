// The VPC over three explicit AZs: public subnets hold only the load balancer and NAT gateways, the app runs
// in private subnets (outbound through NAT, for Stripe and AWS APIs; nothing inbound), the database and Redis
// in isolated subnets with no route out at all. Every flow is logged.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const APP_PORT = 8443;
export const DB_PORT = 5432;
export const REDIS_PORT = 6379;

export interface NetworkProps {
  azs: string[];
  natGateways: number;
  logKey: kms.IKey;
  cidr: string;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly albSg: ec2.SecurityGroup;
  readonly webSg: ec2.SecurityGroup;
  readonly workerSg: ec2.SecurityGroup;
  readonly dbSg: ec2.SecurityGroup;
  readonly redisSg: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: props.azs,
      natGateways: props.natGateways,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'edge', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
      },
    });

    const sg = (name: string, description: string) =>
      new ec2.SecurityGroup(this, name, { vpc: this.vpc, description, allowAllOutbound: false });
    this.albSg = sg('AlbSg', 'Mowt load balancer: HTTPS (and the HTTP redirect) from the internet');
    this.webSg = sg('WebSg', 'Mowt web tasks: HTTPS from the load balancer only');
    this.workerSg = sg('WorkerSg', 'Mowt worker tasks: no inbound at all');
    this.dbSg = sg('DbSg', 'Mowt database: PostgreSQL from the app tasks only');
    this.redisSg = sg('RedisSg', 'Mowt Redis: from the app tasks only');

    this.albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS');
    this.albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP, answered only with a redirect to HTTPS');
    this.albSg.addEgressRule(this.webSg, ec2.Port.tcp(APP_PORT), 'to the web tasks over HTTPS');
    this.webSg.addIngressRule(this.albSg, ec2.Port.tcp(APP_PORT), 'HTTPS from the load balancer');

    for (const app of [this.webSg, this.workerSg]) {
      this.dbSg.addIngressRule(app, ec2.Port.tcp(DB_PORT), 'PostgreSQL from the app');
      this.redisSg.addIngressRule(app, ec2.Port.tcp(REDIS_PORT), 'Redis from the app');
      app.addEgressRule(this.dbSg, ec2.Port.tcp(DB_PORT), 'PostgreSQL');
      app.addEgressRule(this.redisSg, ec2.Port.tcp(REDIS_PORT), 'Redis');
      // Stripe, SMTP submission over TLS, and AWS APIs (KMS, Secrets Manager, S3, CloudWatch) are all HTTPS.
      app.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to Stripe and AWS APIs');
      app.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(465), 'SMTP over TLS');
    }
  }
}
