// The on-call topic and the alarms that page it: 5xx rate, latency, CPU (web, worker, database), free local
// storage, in-region replica lag (and, in the DR stack, the global database's cross-region lag).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export function onCallTopic(scope: Construct, id: string, props: { key: kms.IKey; stage: string; email?: string }): sns.Topic {
  const topic = new sns.Topic(scope, id, { displayName: `Mowt ${props.stage} on-call`, masterKey: props.key, enforceSSL: true });
  if (props.email) topic.addSubscription(new subs.EmailSubscription(props.email));
  return topic;
}

export function alarm(scope: Construct, id: string, topic: sns.ITopic, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
  const a = new cloudwatch.Alarm(scope, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
  a.addAlarmAction(new cwActions.SnsAction(topic));
  a.addOkAction(new cwActions.SnsAction(topic));
  return a;
}

export class Alarms extends Construct {
  constructor(scope: Construct, id: string, props: { topic: sns.ITopic; alb: elbv2.ApplicationLoadBalancer; web: ecs.FargateService; worker: ecs.FargateService; cluster: rds.DatabaseCluster }) {
    super(scope, id);
    const { topic, alb } = props;
    const period = Duration.minutes(1);
    const m = alb.metrics;
    const errors5xx = new cloudwatch.MathExpression({
      label: '5xx % of requests',
      expression: '100 * (target5xx + elb5xx) / MAX([requests, 1])',
      usingMetrics: {
        target5xx: m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' }),
        elb5xx: m.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period, statistic: 'Sum' }),
        requests: m.requestCount({ period, statistic: 'Sum' }),
      },
      period,
    });
    alarm(this, 'Http5xxRate', topic, { alarmDescription: 'More than 1% of requests answered 5xx for 3 of 5 minutes', metric: errors5xx, threshold: 1, evaluationPeriods: 5, datapointsToAlarm: 3 });
    alarm(this, 'LatencyP99', topic, { alarmDescription: 'p99 target response time above 1.5 s for 5 minutes', metric: m.targetResponseTime({ period, statistic: 'p99' }), threshold: 1.5, evaluationPeriods: 5 });
    alarm(this, 'WebCpu', topic, { alarmDescription: 'Web tasks above 85% CPU for 10 minutes (scaling is not keeping up)', metric: props.web.metricCpuUtilization({ period: Duration.minutes(5) }), threshold: 85, evaluationPeriods: 2 });
    alarm(this, 'WorkerCpu', topic, { alarmDescription: 'Worker tasks above 85% CPU for 15 minutes', metric: props.worker.metricCpuUtilization({ period: Duration.minutes(5) }), threshold: 85, evaluationPeriods: 3 });
    alarm(this, 'DatabaseCpu', topic, { alarmDescription: 'Database above 80% CPU for 10 minutes', metric: props.cluster.metricCPUUtilization({ period: Duration.minutes(5) }), threshold: 80, evaluationPeriods: 2 });
    alarm(this, 'DatabaseFreeLocalStorage', topic, {
      alarmDescription: 'Less than 5 GiB of local (temporary) storage left on a database instance',
      metric: props.cluster.metricFreeLocalStorage({ period: Duration.minutes(5), statistic: 'Minimum' }),
      threshold: 5 * 1024 ** 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
    alarm(this, 'DatabaseFreeMemory', topic, {
      alarmDescription: 'Less than 512 MiB of freeable memory on a database instance',
      metric: props.cluster.metricFreeableMemory({ period: Duration.minutes(5), statistic: 'Minimum' }),
      threshold: 512 * 1024 ** 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
    alarm(this, 'ReaderReplicaLag', topic, {
      alarmDescription: 'The in-region Aurora reader lags the writer by more than 1 s (its failover would lose more)',
      metric: props.cluster.metric('AuroraReplicaLagMaximum', { period, statistic: 'Maximum' }),
      threshold: 1000,
      evaluationPeriods: 5,
    });
  }
}

/** The DR stack's alarm: cross-region replication lag of the global database, against the 15-minute RPO. */
export function globalLagAlarm(scope: Construct, id: string, topic: sns.ITopic, clusterIdentifier: string): cloudwatch.Alarm {
  return alarm(scope, id, topic, {
    alarmDescription: 'Global database replication to the DR region lags more than 5 minutes (RPO is 15 minutes)',
    metric: new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName: 'AuroraGlobalDBReplicationLag',
      dimensionsMap: { DBClusterIdentifier: clusterIdentifier },
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    threshold: 5 * 60 * 1000,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    // No data means replication stopped reporting: treat it as breaching.
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
}
