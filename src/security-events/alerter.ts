// Delivers alerts: mail to an organisation's Admins and its optional signed webhook; Mowt's on-call mail
// and webhook for patterns that span organisations. Delivery failures are logged and kept on the event
// (alert_error) — they never fail the request that raised the event.
import type { Logger } from 'pino';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg } from '../db/tenant.js';
import type { Mailer } from '../mail/index.js';
import { oncallEmail, orgAlertEmail } from './alert-templates.js';
import { orgAdmins } from './org-admins.js';
import type { Severity } from './security-tables.table.js';
import { postWebhook } from './webhook.js';

export interface OncallConfig {
  email?: string;
  webhookUrl?: string;
  webhookSecret?: string;
}

export interface AlerterDeps {
  db: Db;
  /** The time a webhook is signed at (receivers reject stale timestamps). */
  clock: () => Date;
  crypto: FieldCrypto;
  mailer: Mailer;
  logger: Logger;
  baseUrl: () => string;
  oncall: OncallConfig;
  /** Organisations' own webhooks may only reach public addresses (production); on-call's is the operator's. */
  customerWebhooksPublicOnly: boolean;
}

export interface OrgAlert {
  orgId: string;
  eventId: string;
  rule: string;
  severity: Severity;
  summary: string;
  at: Date;
}

export const webhookUrlField = (orgId: string) => ({ table: 'security_alert_settings', column: 'webhook_url_encrypted', rowId: orgId });
export const webhookSecretField = (orgId: string) => ({ table: 'security_alert_settings', column: 'webhook_secret_encrypted', rowId: orgId });

export async function orgWebhook(deps: Pick<AlerterDeps, 'db' | 'crypto'>, orgId: string): Promise<{ url: string; secret: string } | null> {
  return withOrg(deps.db, orgId, async (tx) => {
    const row = await tx.selectFrom('security_alert_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
    if (!row) return null;
    return {
      url: await deps.crypto.decryptField(orgId, webhookUrlField(orgId), row.webhook_url_encrypted, tx),
      secret: await deps.crypto.decryptField(orgId, webhookSecretField(orgId), row.webhook_secret_encrypted, tx),
    };
  });
}

/** Sends one organisation alert everywhere it should go; returns the failures (empty when all arrived). */
export async function deliverOrgAlert(deps: AlerterDeps, alert: OrgAlert): Promise<string[]> {
  const errors: string[] = [];
  const link = `${deps.baseUrl()}/orgs/${alert.orgId}/settings/security-events`;
  const org = await orgAdmins(deps.db, deps.crypto, alert.orgId);
  if (!org) return ['organisation not found'];
  for (const admin of org.admins) {
    try {
      await deps.mailer.send(orgAlertEmail(admin.email, { orgName: org.orgName, severity: alert.severity, summary: alert.summary, at: alert.at, link }));
    } catch (err) {
      errors.push(`mail: ${(err as Error).message}`);
    }
  }
  try {
    const hook = await orgWebhook(deps, alert.orgId);
    if (hook) {
      await postWebhook(
        hook.url,
        hook.secret,
        {
          text: `:rotating_light: Mowt security (${alert.severity}) in ${org.orgName}: ${alert.summary} <${link}|Open>`,
          event: { id: alert.eventId, orgId: alert.orgId, rule: alert.rule, severity: alert.severity, summary: alert.summary, occurredAt: alert.at.toISOString() },
        },
        deps.clock(),
        { publicOnly: deps.customerWebhooksPublicOnly },
      );
    }
  } catch (err) {
    errors.push(`webhook: ${(err as Error).message}`);
  }
  if (errors.length > 0) deps.logger.error({ orgId: alert.orgId, eventId: alert.eventId, errors }, 'security alert delivery failed');
  return errors;
}

export async function deliverOncallAlert(deps: Omit<AlerterDeps, 'customerWebhooksPublicOnly'>, alert: { id: string; rule: string; severity: Severity; summary: string; at: Date; details: Record<string, unknown> }): Promise<string[]> {
  const errors: string[] = [];
  const { email, webhookUrl, webhookSecret } = deps.oncall;
  if (!email && !webhookUrl) {
    // Nowhere to send it: the log line is the alert (and the stored event), loudly.
    deps.logger.error({ oncall: alert }, `ON-CALL ALERT (no MOWT_ONCALL_EMAIL or MOWT_ONCALL_WEBHOOK_URL configured): ${alert.summary}`);
    return ['no on-call channel configured'];
  }
  if (email) {
    try {
      await deps.mailer.send(oncallEmail(email, alert));
    } catch (err) {
      errors.push(`mail: ${(err as Error).message}`);
    }
  }
  if (webhookUrl && webhookSecret) {
    try {
      await postWebhook(webhookUrl, webhookSecret, { text: `:rotating_light: Mowt on-call (${alert.severity}) ${alert.rule}: ${alert.summary}`, event: { ...alert, at: alert.at.toISOString() } }, deps.clock(), { publicOnly: false });
    } catch (err) {
      errors.push(`webhook: ${(err as Error).message}`);
    }
  }
  if (errors.length > 0) deps.logger.error({ oncallEventId: alert.id, errors }, 'on-call alert delivery failed');
  return errors;
}
