// "Every object once": what a connection has stored, table by table, next to what the Stripe emulator
// lists for the same key — the check after a sync that was interrupted, continued or moved between workers.
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { createStripeReader } from '../../src/stripe/client.js';
import { OBJECT_KINDS, type ObjectTable } from '../../src/stripe/object-kinds.js';

export type IdsByTable = Partial<Record<ObjectTable, string[]>>;

/** Every id the emulator lists for the key, per table, sorted (the same lists the backfill pages). */
export async function emulatorIds(apiBase: string, key: string): Promise<IdsByTable> {
  const reader = createStripeReader({ apiBase, token: key });
  const out: IdsByTable = {};
  for (const kind of OBJECT_KINDS) {
    const ids: string[] = [];
    for (let after: string | undefined, more = true; more; ) {
      const page = await reader.list(kind.type, { limit: 100, ...(after ? { starting_after: after } : {}) });
      ids.push(...page.data.map((o) => String(o.id)));
      after = page.data.at(-1)?.id as string | undefined;
      more = page.has_more && after !== undefined;
    }
    out[kind.table] = ids.sort();
  }
  return out;
}

/** Every stored row's id for the connection, per table, sorted; read as the owner (past row-level security). */
export async function storedIds(db: Db, connectionId: string): Promise<IdsByTable> {
  const out: IdsByTable = {};
  for (const kind of OBJECT_KINDS) {
    const { rows } = await sql<{ id: string }>`select id from ${sql.table(kind.table)} where connection_id = ${connectionId} order by id`.execute(db.owner);
    out[kind.table] = rows.map((r) => r.id).sort();
  }
  return out;
}

/** Objects counted by the sync state per type (a page counted twice would show here, not in the tables). */
export async function syncedCounts(db: Db, connectionId: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ object_type: string; objects_synced: string | number }>`select object_type, objects_synced from stripe_sync_state where connection_id = ${connectionId}`.execute(db.owner);
  return Object.fromEntries(rows.filter((r) => r.object_type !== 'event_poll' && !r.object_type.includes(':')).map((r) => [r.object_type, Number(r.objects_synced)]));
}
