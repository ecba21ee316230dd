import type { ColumnType, Selectable } from 'kysely';
import type { DigestCadence, NotifyChannel } from './digest-schemas.js';

export type { DigestCadence, NotifyChannel };
export type MovementKind = 'new' | 'upgrade' | 'downgrade' | 'churn';

export interface NotificationPreferencesTable {
  id: ColumnType<string, string | undefined, never>;
  org_id: string;
  user_id: string;
  digest: DigestCadence;
  digest_last_sent_at: Date | null;
  notify_channel: NotifyChannel;
  notify_events: ColumnType<MovementKind[], string | undefined, string>;
  slack_webhook_encrypted: string | null;
  unsubscribe_nonce: string;
  /** Last analytics day (YYYY-MM-DD) whose movements were notified. */
  notified_through: string | null;
  updated_at: Date;
}
export type NotificationPreferencesRow = Selectable<NotificationPreferencesTable>;

export interface NotificationOrgsTable {
  org_id: string;
}
