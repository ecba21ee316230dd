// Tenant scoping. Every request's database work runs in one transaction that first drops to APP_ROLE and
// then sets `app.org_id` with set_config(..., true) as a bound parameter: transaction-local, never spliced
// into SQL. Row-Level Security policies compare rows against it, so a forgotten WHERE cannot leak.
import type { Kysely, Transaction } from 'kysely';
import { APP_ROLE, type Db } from './database.js';
import { executePrepared } from './prepared-statements.js';
import type { Database } from './schema.js';

export type Tx = Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TxOptions {
  /**
   * For the many small write transactions of a Stripe backfill: commit without waiting for the WAL flush
   * (a database crash loses at most the last moments of pages, which the resumed backfill reads again).
   */
  bulkWrite?: boolean;
}

async function asAppRole<T>(db: Kysely<Database>, orgId: string | null, fn: (tx: Tx) => Promise<T>, opts: TxOptions = {}): Promise<T> {
  return db.transaction().execute(async (tx) => {
    // One round trip for all: set_config(name, value, true) is SET LOCAL. Every transaction starts with one
    // of these four fixed texts, so each runs as a named prepared statement (parsed once per connection).
    const bulk = opts.bulkWrite === true ? ", set_config('synchronous_commit', 'off', true)" : '';
    if (orgId === null) await executePrepared(tx, `select set_config('role', $1, true)${bulk}`, [APP_ROLE]);
    else await executePrepared(tx, `select set_config('role', $1, true), set_config('app.org_id', $2, true)${bulk}`, [APP_ROLE, orgId]);
    return fn(tx);
  });
}

/** Runs fn inside one transaction scoped to a single organisation. */
export function withOrg<T>(db: Db, orgId: string, fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T> {
  if (!UUID.test(orgId)) throw new TypeError('withOrg needs an organisation uuid');
  return asAppRole(db.app, orgId, fn, opts);
}

/**
 * Runs fn as the app role with no organisation set: tenant tables show no rows. For work that is not
 * tenant data (looking a user up by email at login, sessions).
 */
export function withoutOrg<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return asAppRole(db.app, null, fn);
}
