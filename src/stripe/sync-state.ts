// Repository of stripe_sync_state rows (plain functions over the open, organisation-scoped transaction).
import { sql } from 'kysely';
import type { Tx } from '../db/tenant.js';
import type { StripeSyncStateTable } from './sync-state.table.js';
import type { Selectable } from 'kysely';

export type SyncStateRow = Selectable<StripeSyncStateTable>;
export const EVENT_POLL = 'event_poll';

export async function listSyncState(tx: Tx, connectionId: string): Promise<SyncStateRow[]> {
  return tx.selectFrom('stripe_sync_state').selectAll().where('connection_id', '=', connectionId).orderBy('object_type').execute();
}

export async function getSyncState(tx: Tx, connectionId: string, objectType: string): Promise<SyncStateRow | undefined> {
  return tx.selectFrom('stripe_sync_state').selectAll().where('connection_id', '=', connectionId).where('object_type', '=', objectType).executeTakeFirst();
}

/** Creates the row if missing and marks a run as started (keeps cursor and counts: a restart resumes). */
export async function startSyncState(tx: Tx, orgId: string, connectionId: string, objectType: string, now: Date): Promise<SyncStateRow> {
  await tx.insertInto('stripe_sync_state')
    .values({ org_id: orgId, connection_id: connectionId, object_type: objectType, started_at: now })
    .onConflict((oc) => oc.columns(['connection_id', 'object_type']).doUpdateSet({ started_at: sql`coalesce(stripe_sync_state.started_at, ${now})` }))
    .execute();
  const row = await getSyncState(tx, connectionId, objectType);
  if (!row) throw new Error('sync state row vanished');
  return row;
}

/** Records a committed page: written in the same transaction as the page's upserts. */
export async function advanceSyncState(
  tx: Tx, connectionId: string, objectType: string,
  page: { cursor: string | null; cursorCreated: number | null; firstCreated: number | null; added: number; done: boolean }, now: Date,
): Promise<void> {
  const { cursor, added, done } = page;
  await tx.updateTable('stripe_sync_state')
    .set({
      cursor,
      cursor_created: page.cursorCreated,
      first_created: sql`coalesce(first_created, ${page.firstCreated})`,
      done,
      objects_synced: sql`objects_synced + ${added}`,
      pages: sql`pages + 1`,
      last_success_at: now,
      ...(done ? { finished_at: now, last_error: null, last_error_at: null } : {}),
    })
    .where('connection_id', '=', connectionId).where('object_type', '=', objectType)
    .execute();
}

export async function recordSyncError(tx: Tx, connectionId: string, objectType: string, message: string, now: Date): Promise<void> {
  await tx.updateTable('stripe_sync_state').set({ last_error: message.slice(0, 500), last_error_at: now })
    .where('connection_id', '=', connectionId).where('object_type', '=', objectType).execute();
}

/** Sets the events-poll cursor (unix seconds of the newest event seen) and success time. */
export async function setPollCursor(tx: Tx, orgId: string, connectionId: string, createdSeconds: number, now: Date): Promise<void> {
  await tx.insertInto('stripe_sync_state')
    .values({ org_id: orgId, connection_id: connectionId, object_type: EVENT_POLL, cursor: String(createdSeconds), done: true, last_success_at: now, started_at: now })
    .onConflict((oc) => oc.columns(['connection_id', 'object_type']).doUpdateSet({
      cursor: sql`greatest(coalesce(stripe_sync_state.cursor, '0')::bigint, ${createdSeconds}::bigint)::text`,
      last_success_at: now, last_error: null, last_error_at: null,
    }))
    .execute();
}
