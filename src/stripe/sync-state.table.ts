// stripe_sync_state: per connection and object type, where the backfill stands (its cursor is written in the
// same transaction as the page it follows) and how the last run went. 'event_poll' holds the events cursor.
import type { ColumnType } from 'kysely';

type Count = ColumnType<string | number, number | undefined, number>;

export interface StripeSyncStateTable {
  org_id: string;
  connection_id: string;
  object_type: string;
  cursor: string | null;
  done: ColumnType<boolean, boolean | undefined, boolean>;
  objects_synced: Count;
  pages: ColumnType<number, number | undefined, number>;
  first_created: Count | null;
  cursor_created: Count | null;
  started_at: Date | null;
  finished_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
}
