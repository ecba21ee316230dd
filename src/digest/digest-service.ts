// Customer communications: per-member preferences, the daily/weekly metrics digest, movement
// notifications (new, upgrade, downgrade, churn) by email or Slack-compatible webhook, and one-click
// unsubscribe. The digest and notifications are sent by jobs on the queue (digest-jobs.ts).
import type { Logger } from 'pino';
import { appendAudit } from '../audit/index.js';
import { userEmail } from '../auth/users.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { Mailer } from '../mail/mailer.js';
import { addDays, dayOf } from '../metrics/index.js';
import { digestEmail, movementEmail, movementLines } from './digest-emails.js';
import type { MetricsSource } from './metrics-source.js';
import type { DigestCadence, MovementKind, NotificationPreferencesRow, NotifyChannel } from './notification-preferences.table.js';
import { digestRecipients, ensurePreferences, findPreferences, notifyRecipients } from './preferences-repo.js';
import { checkWebhookUrlShape, slackSender, WebhookUrlError, type SlackSender } from './slack-webhook.js';
import { macMatches, newNonce, parseUnsubscribeToken, unsubscribeToken, type UnsubscribePurpose } from './unsubscribe-token.js';
import type { PreferencesView } from './digest-schemas.js';

export interface DigestDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  config: Config;
  crypto: FieldCrypto;
  mailer: Mailer;
  metrics: MetricsSource;
  slack?: SlackSender;
}

/** A member's preferences as the routes answer them (digest-schemas.ts): the Slack URL only as "configured". */
export type { PreferencesView };

export interface PreferencesInput {
  digest: DigestCadence;
  notifyChannel: NotifyChannel;
  notifyEvents: MovementKind[];
  /** A new webhook URL; omitted keeps the saved one, null removes it. */
  slackWebhookUrl?: string | null;
}

const slackField = (id: string) => ({ table: 'notification_preferences', column: 'slack_webhook_encrypted', rowId: id });

function view(row: NotificationPreferencesRow | null): PreferencesView {
  return {
    digest: row?.digest ?? 'off',
    notifyChannel: row?.notify_channel ?? 'off',
    notifyEvents: row?.notify_events ?? ['new', 'upgrade', 'downgrade', 'churn'],
    slackWebhookConfigured: Boolean(row?.slack_webhook_encrypted),
  };
}

/**
 * Whether a digest is due for this member now, and for which days: calendar days in the organisation's
 * timezone (the days its figures are kept in), ending yesterday there.
 */
export function digestWindow(cadence: DigestCadence, lastSent: Date | null, now: Date, timezone: string): { from: string; to: string } | null {
  if (cadence === 'off') return null;
  const local = (d: Date) => dayOf(Math.floor(d.getTime() / 1000), timezone);
  const today = local(now);
  const span = cadence === 'daily' ? 1 : 7;
  if (lastSent && local(lastSent) >= addDays(today, -(span - 1))) return null;
  return { from: addDays(today, -span), to: addDays(today, -1) };
}

export function createDigestService(deps: DigestDeps) {
  const slack = deps.slack ?? slackSender();
  const base = () => deps.config.baseUrl;
  const unsubscribeUrl = async (tx: Tx, purpose: UnsubscribePurpose, row: NotificationPreferencesRow) =>
    `${base()}/unsubscribe?token=${await unsubscribeToken(deps.crypto, { purpose, orgId: row.org_id, userId: row.user_id, nonce: row.unsubscribe_nonce }, tx)}`;

  async function orgsWithRecipients(): Promise<string[]> {
    return (await withoutOrg(deps.db, (tx) => tx.selectFrom('notification_orgs').select('org_id').execute())).map((r) => r.org_id);
  }

  return {
    async getPreferences(orgId: string, userId: string): Promise<PreferencesView> {
      return view(await withOrg(deps.db, orgId, (tx) => findPreferences(tx, orgId, userId)));
    },

    async savePreferences(orgId: string, userId: string, input: PreferencesInput, ctx: { ip: string; userAgent: string | null }): Promise<PreferencesView> {
      if (input.slackWebhookUrl) {
        try {
          checkWebhookUrlShape(input.slackWebhookUrl);
        } catch (err) {
          throw new HttpProblem(422, err instanceof WebhookUrlError ? err.message : 'invalid webhook URL');
        }
      }
      const now = deps.clock();
      const saved = await withOrg(deps.db, orgId, async (tx) => {
        const row = await ensurePreferences(tx, orgId, userId, now);
        let slackCipher = row.slack_webhook_encrypted;
        if (input.slackWebhookUrl === null) slackCipher = null;
        else if (input.slackWebhookUrl) slackCipher = await deps.crypto.encryptField(orgId, slackField(row.id), input.slackWebhookUrl, tx);
        if (input.notifyChannel === 'slack' && !slackCipher) throw new HttpProblem(422, 'add a Slack webhook URL to be notified in Slack');
        // Switching a channel back on issues a new nonce, so unsubscribe links from before stop working.
        const reenabled = (row.digest === 'off' && input.digest !== 'off') || (row.notify_channel === 'off' && input.notifyChannel !== 'off');
        await tx
          .updateTable('notification_preferences')
          .set({
            digest: input.digest,
            notify_channel: input.notifyChannel,
            notify_events: JSON.stringify([...new Set(input.notifyEvents)]),
            slack_webhook_encrypted: slackCipher,
            unsubscribe_nonce: reenabled ? newNonce() : row.unsubscribe_nonce,
            // Notifications start from now, not from the whole history.
            notified_through: row.notify_channel === 'off' && input.notifyChannel !== 'off' ? null : row.notified_through,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .execute();
        await appendAudit(tx, {
          orgId, actor: { type: 'user', id: userId }, action: 'notifications.preferences_changed', target: { type: 'user', id: userId }, ip: ctx.ip, userAgent: ctx.userAgent,
          metadata: { digest: input.digest, channel: input.notifyChannel, events: input.notifyEvents.join(','), slackChanged: input.slackWebhookUrl !== undefined }, at: now,
        });
        return findPreferences(tx, orgId, userId);
      });
      if (input.digest !== 'off' || input.notifyChannel !== 'off') {
        await withoutOrg(deps.db, (tx) => tx.insertInto('notification_orgs').values({ org_id: orgId }).onConflict((oc) => oc.column('org_id').doNothing()).execute());
      }
      return view(saved);
    },

    /** RFC 8058 one-click unsubscribe: no session; the token names the member and what to switch off. */
    async unsubscribe(token: string, ctx: { ip: string; userAgent: string | null }): Promise<{ unsubscribed: UnsubscribePurpose }> {
      const parsed = parseUnsubscribeToken(token);
      const invalid = new HttpProblem(400, 'this unsubscribe link is invalid or no longer current; change notifications in Settings → Notifications', { code: 'unsubscribe_invalid' });
      if (!parsed) throw invalid;
      const now = deps.clock();
      const ok = await withOrg(deps.db, parsed.orgId, async (tx) => {
        if (!(await macMatches(deps.crypto, parsed, tx))) return false;
        const row = await findPreferences(tx, parsed.orgId, parsed.userId);
        if (!row || row.unsubscribe_nonce !== parsed.nonce) return false;
        await tx
          .updateTable('notification_preferences')
          .set(parsed.purpose === 'digest' ? { digest: 'off', updated_at: now } : { notify_channel: 'off', updated_at: now })
          .where('id', '=', row.id)
          .execute();
        await appendAudit(tx, {
          orgId: parsed.orgId, actor: { type: 'user', id: parsed.userId }, action: 'notifications.unsubscribed', target: { type: 'user', id: parsed.userId }, ip: ctx.ip, userAgent: ctx.userAgent,
          metadata: { purpose: parsed.purpose, via: 'one-click' }, at: now,
        });
        return true;
      });
      if (!ok) throw invalid;
      return { unsubscribed: parsed.purpose };
    },

    /** The digest job: every member whose digest is due gets one (skipped while analytics has no figures). */
    async sendDueDigests(): Promise<{ sent: number; skipped: number; failed: number }> {
      const now = deps.clock();
      let sent = 0;
      let skipped = 0;
      let failed = 0;
      for (const orgId of await orgsWithRecipients()) {
        const due = await withOrg(deps.db, orgId, async (tx) => {
          const org = await tx.selectFrom('organisations').select(['name', 'timezone']).where('id', '=', orgId).executeTakeFirst();
          const out: { row: NotificationPreferencesRow; window: { from: string; to: string }; email: string; unsubscribe: string }[] = [];
          for (const row of await digestRecipients(tx, orgId)) {
            const window = digestWindow(row.digest, row.digest_last_sent_at, now, org?.timezone ?? 'Europe/London');
            if (window) out.push({ row, window, email: await userEmail(tx, deps.crypto, row.user_id), unsubscribe: await unsubscribeUrl(tx, 'digest', row) });
          }
          return { orgName: org?.name ?? 'Mowt', out };
        });
        for (const item of due.out) {
          const metrics = await deps.metrics.period(orgId, item.window.from, item.window.to);
          if (!metrics) {
            skipped++;
            continue;
          }
          try {
            await deps.mailer.send(digestEmail(item.email, metrics, { orgName: due.orgName, cadence: item.row.digest === 'daily' ? 'daily' : 'weekly', dashboardUrl: `${base()}/orgs/${orgId}`, unsubscribeUrl: item.unsubscribe }));
            await withOrg(deps.db, orgId, (tx) => tx.updateTable('notification_preferences').set({ digest_last_sent_at: now }).where('id', '=', item.row.id).execute());
            sent++;
          } catch (err) {
            failed++;
            deps.logger.error({ err, orgId }, 'digest could not be sent');
          }
        }
      }
      return { sent, skipped, failed };
    },

    /** The notification job: new movements since each member's cursor, by email or Slack. */
    async sendMovementNotifications(): Promise<{ notified: number; failed: number }> {
      let notified = 0;
      let failed = 0;
      for (const orgId of await orgsWithRecipients()) {
        const members = await withOrg(deps.db, orgId, async (tx) => {
          const org = await tx.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirst();
          const out: { row: NotificationPreferencesRow; email: string; slackUrl: string | null; unsubscribe: string }[] = [];
          for (const row of await notifyRecipients(tx, orgId)) {
            out.push({
              row,
              email: await userEmail(tx, deps.crypto, row.user_id),
              slackUrl: row.slack_webhook_encrypted ? await deps.crypto.decryptField(orgId, slackField(row.id), row.slack_webhook_encrypted, tx) : null,
              unsubscribe: await unsubscribeUrl(tx, 'notify', row),
            });
          }
          return { orgName: org?.name ?? 'Mowt', out };
        });
        for (const m of members.out) {
          const { movements, through, currency } = await deps.metrics.movementsSince(orgId, m.row.notified_through, 200);
          if (!through) continue;
          const wanted = movements.filter((mv) => m.row.notify_events.includes(mv.kind));
          try {
            if (wanted.length > 0 && currency) {
              if (m.row.notify_channel === 'slack' && m.slackUrl) {
                await slack.post(m.slackUrl, `*${members.orgName}* — customer movements\n${movementLines(wanted, currency).map((l) => `• ${l}`).join('\n')}\n<${base()}/orgs/${orgId}|Open Mowt>`);
              } else if (m.row.notify_channel === 'email') {
                await deps.mailer.send(movementEmail(m.email, wanted, currency, { orgName: members.orgName, dashboardUrl: `${base()}/orgs/${orgId}`, unsubscribeUrl: m.unsubscribe }));
              }
              notified++;
            }
            const last = movements.length === 200 ? (movements[movements.length - 1]?.day ?? through) : through;
            await withOrg(deps.db, orgId, (tx) => tx.updateTable('notification_preferences').set({ notified_through: last }).where('id', '=', m.row.id).execute());
          } catch (err) {
            failed++;
            deps.logger.error({ err, orgId }, 'movement notification could not be delivered');
          }
        }
      }
      return { notified, failed };
    },
  };
}

export type DigestService = ReturnType<typeof createDigestService>;
