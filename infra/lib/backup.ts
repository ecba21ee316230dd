// AWS Backup: a daily snapshot kept 30 days and a weekly one kept a year, each copied to the DR region's
// vault, on top of Aurora's own 30-day point-in-time recovery and the global database's live replica.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export const DAILY_RETENTION_DAYS = 30;
export const WEEKLY_RETENTION_DAYS = 365;

export class BackupPlan extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: { key: kms.IKey; vaultName: string; drVaultArn: string; resources: backup.BackupResource[] }) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
      // Vault lock (governance mode): recovery points cannot be deleted before their retention ends.
      lockConfiguration: { minRetention: Duration.days(DAILY_RETENTION_DAYS) },
      blockRecoveryPointDeletion: true,
    });
    const drVault = backup.BackupVault.fromBackupVaultArn(this, 'DrVault', props.drVaultArn);
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ hour: '2', minute: '30' }),
          deleteAfter: Duration.days(DAILY_RETENTION_DAYS),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(6),
          copyActions: [{ destinationBackupVault: drVault, deleteAfter: Duration.days(DAILY_RETENTION_DAYS) }],
        }),
        new backup.BackupPlanRule({
          ruleName: 'weekly',
          scheduleExpression: events.Schedule.cron({ weekDay: 'SUN', hour: '3', minute: '30' }),
          deleteAfter: Duration.days(WEEKLY_RETENTION_DAYS),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          copyActions: [{ destinationBackupVault: drVault, deleteAfter: Duration.days(WEEKLY_RETENTION_DAYS) }],
        }),
      ],
    });
    this.plan.addSelection('Database', { resources: props.resources, allowRestores: true });
  }
}
