// Per-member notification preferences (tenant table: call inside withOrg). A member without a row has
// everything off; the row is created on first save.
import type { Tx } from '../db/tenant.js';
import type { NotificationPreferencesRow } from './notification-preferences.table.js';
import { newNonce } from './unsubscribe-token.js';

export async function findPreferences(tx: Tx, orgId: string, userId: string): Promise<NotificationPreferencesRow | null> {
  return (await tx.selectFrom('notification_preferences').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst()) ?? null;
}

export async function ensurePreferences(tx: Tx, orgId: string, userId: string, now: Date): Promise<NotificationPreferencesRow> {
  const existing = await findPreferences(tx, orgId, userId);
  if (existing) return existing;
  await tx
    .insertInto('notification_preferences')
    .values({ org_id: orgId, user_id: userId, digest: 'off', digest_last_sent_at: null, notify_channel: 'off', slack_webhook_encrypted: null, unsubscribe_nonce: newNonce(), notified_through: null, updated_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
    .execute();
  return (await findPreferences(tx, orgId, userId)) as NotificationPreferencesRow;
}

/** Members of the organisation who want a digest (their membership must still exist). */
export async function digestRecipients(tx: Tx, orgId: string): Promise<NotificationPreferencesRow[]> {
  return tx
    .selectFrom('notification_preferences')
    .innerJoin('memberships', (j) => j.onRef('memberships.org_id', '=', 'notification_preferences.org_id').onRef('memberships.user_id', '=', 'notification_preferences.user_id'))
    .selectAll('notification_preferences')
    .where('notification_preferences.org_id', '=', orgId)
    .where('notification_preferences.digest', '!=', 'off')
    .execute();
}

export async function notifyRecipients(tx: Tx, orgId: string): Promise<NotificationPreferencesRow[]> {
  return tx
    .selectFrom('notification_preferences')
    .innerJoin('memberships', (j) => j.onRef('memberships.org_id', '=', 'notification_preferences.org_id').onRef('memberships.user_id', '=', 'notification_preferences.user_id'))
    .selectAll('notification_preferences')
    .where('notification_preferences.org_id', '=', orgId)
    .where('notification_preferences.notify_channel', '!=', 'off')
    .execute();
}
