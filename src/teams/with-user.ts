// A transaction that acts for one signed-in user and no organisation: RLS then shows that user's own
// memberships (policy memberships_own_rows) and still no tenant data. app.user_id is set like app.org_id:
// transaction-local, as a bound parameter. See docs/decisions/031-rls-and-memberships.md.
import { sql } from 'kysely';
import { APP_ROLE, type Db } from '../db/database.js';
import type { Tx } from '../db/tenant.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function withUser<T>(db: Db, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(userId)) throw new TypeError('withUser needs a user uuid');
  return db.app.transaction().execute(async (tx) => {
    await sql`set local role ${sql.id(APP_ROLE)}`.execute(tx);
    await sql`select set_config('app.user_id', ${userId}, true)`.execute(tx);
    return fn(tx);
  });
}
