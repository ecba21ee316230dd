// CloudTrail in every region with log-file validation, so staff access to data outside the app is recorded
// and tamper-evident; and the break-glass role whose every use pages on-call.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { secureBucket } from './secure-bucket.js';

/** The break-glass role: assumable only with MFA, for one hour; created before the keys that name it. */
export function breakGlassRole(scope: Construct, id: string, stage: string): iam.Role {
  return new iam.Role(scope, id, {
    roleName: `mowt-${stage}-break-glass`,
    description: 'Emergency access to Mowt data outside the app. Every use pages on-call (see docs/operations.md).',
    assumedBy: new iam.AccountRootPrincipal().withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
    maxSessionDuration: Duration.hours(1),
  });
}

export class AuditTrail extends Construct {
  readonly trail: cloudtrail.Trail;

  constructor(scope: Construct, id: string, props: { key: kms.IKey; breakGlass: iam.IRole; alarmTopic: sns.ITopic; keyArns: string[] }) {
    super(scope, id);
    const bucket = secureBucket(this, 'TrailBucket', { key: props.key });
    const logGroup = new logs.LogGroup(this, 'TrailLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: props.key, removalPolicy: RemovalPolicy.RETAIN });
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket,
      encryptionKey: props.key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: logGroup,
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });

    // 1. Someone assumed the break-glass role.
    new events.Rule(this, 'BreakGlassAssumed', {
      description: 'Page on-call when the break-glass role is assumed',
      eventPattern: {
        source: ['aws.sts'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventName: ['AssumeRole'], requestParameters: { roleArn: [props.breakGlass.roleArn] } },
      },
      targets: [new targets.SnsTopic(props.alarmTopic)],
    });
    // 2. The break-glass role decrypted something (KMS Decrypt is a read-only call, which EventBridge does not
    //    always receive, so the trail's log group is watched as well).
    new events.Rule(this, 'BreakGlassDecrypt', {
      description: 'Page on-call when the break-glass role uses a Mowt key',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventName: ['Decrypt'], userIdentity: { sessionContext: { sessionIssuer: { arn: [props.breakGlass.roleArn] } } } },
      },
      targets: [new targets.SnsTopic(props.alarmTopic)],
    });
    const breakGlassCalls = new logs.MetricFilter(this, 'BreakGlassCalls', {
      logGroup,
      metricNamespace: 'Mowt/Security',
      metricName: 'BreakGlassApiCalls',
      filterPattern: logs.FilterPattern.stringValue('$.userIdentity.sessionContext.sessionIssuer.arn', '=', props.breakGlass.roleArn),
      metricValue: '1',
      defaultValue: 0,
    });
    new cloudwatch.Alarm(this, 'BreakGlassUsed', {
      alarmDescription: 'The break-glass role made an AWS API call (any call, Decrypt included)',
      metric: breakGlassCalls.metric({ statistic: 'Sum', period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    // 3. Someone changed a Mowt key's policy, disabled it or scheduled its deletion.
    new events.Rule(this, 'KeyPolicyChanged', {
      description: 'Page on-call when a Mowt key policy changes or a key is disabled or scheduled for deletion',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventName: ['PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'CreateGrant'], requestParameters: { keyId: props.keyArns } },
      },
      targets: [new targets.SnsTopic(props.alarmTopic)],
    });
  }
}
