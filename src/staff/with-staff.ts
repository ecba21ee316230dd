// A transaction that acts for one staff member and no organisation: RLS then shows that staff member's own
// access grants (policies staff_access_grants_own_*) and no other tenant data. app.staff_id is set like
// app.org_id: transaction-local, as a bound parameter.
import { sql } from 'kysely';
import { APP_ROLE, type Db } from '../db/database.js';
import type { Tx } from '../db/tenant.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function withStaff<T>(db: Db, staffId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(staffId)) throw new TypeError('withStaff needs a staff uuid');
  return db.app.transaction().execute(async (tx) => {
    await sql`set local role ${sql.id(APP_ROLE)}`.execute(tx);
    await sql`select set_config('app.staff_id', ${staffId}, true)`.execute(tx);
    return fn(tx);
  });
}
