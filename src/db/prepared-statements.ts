// Server-side prepared statements for the few big statements repeated thousands of times (a full page of
// synced Stripe objects is one 100-row upsert of ~2,000 parameters). PostgreSQL parses, analyses and plans
// an unnamed statement on every execution, which for those upserts cost more CPU than the insert itself;
// a named statement is planned once per connection. Kysely has no way to name a statement, so a statement
// asks for it with a leading marker comment and the pool's clients turn it into a named one.
// Each named statement holds ~0.7 MB of plan memory per connection for the connection's life, so only a
// fixed set of statement texts may be marked (never text that varies with data or row count).
import crypto from 'node:crypto';
import { CompiledQuery, type QueryResult } from 'kysely';
import type pg from 'pg';
import type { Tx } from './tenant.js';

const MARK = '/* mowt:prepare */ ';

/** The statement text, marked to run as a named prepared statement on PostgreSQL (PGlite ignores it). */
export function prepared(text: string): string {
  return MARK + text;
}

/** Runs a fixed statement text with its parameters as a named prepared statement, in the caller's transaction. */
export function executePrepared<R = Record<string, unknown>>(tx: Tx, text: string, params: readonly unknown[]): Promise<QueryResult<R>> {
  return tx.executeQuery<R>(CompiledQuery.raw(prepared(text), [...params]));
}

type Query = (config: unknown, ...rest: unknown[]) => unknown;

/** Makes a pool's new client run marked statements as named ones (name derived from the text). */
export function namePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `mowt_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
      names.set(text, name);
    }
    return name;
  };
  (client as unknown as { query: Query }).query = (config, ...rest) => {
    if (typeof config !== 'string' || !config.startsWith(MARK)) return query(config, ...rest);
    const [values, ...callback] = rest;
    return query({ name: nameOf(config), text: config, values }, ...callback);
  };
}
