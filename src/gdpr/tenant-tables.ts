// Which tables hold an organisation's data: every table with an `org_id` column, read from the catalogue at
// run time — so a table a later slice adds is exported (and erased) without anyone remembering to list it.
// The few that must not leave the database are excluded here, each with its reason; a test fails when a
// table with org_id is neither exported nor excluded, or when an exclusion names a table that is gone.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface TenantTable {
  table: string;
  /** Primary-key columns, in key order: exports page through the table by them (keyset, not offset). */
  key: string[];
  columns: { name: string; type: string }[];
}

/** Tables with org_id that an export leaves out, and why. */
export const EXPORT_EXCLUDED: Readonly<Record<string, string>> = {
  crypto_keks: 'key material references (secrets of Mowt, not data of the customer)',
  crypto_data_keys: 'wrapped data keys (secrets)',
  crypto_rotations: 'key-rotation bookkeeping (no customer data)',
  crypto_reencryption_cursors: 'key-rotation bookkeeping (no customer data)',
  stripe_oauth_states: 'single-use OAuth state values of connections in progress (secrets, minutes long)',
};

/**
 * Columns never exported, whatever the table: hashes of credentials, blind indexes (keyed HMACs, useless
 * outside Mowt and a guessing oracle if leaked), wrapped keys and anything named like a secret. Encrypted
 * columns under the 'stripe' purpose (access tokens, keys) are dropped separately (export-archive.ts).
 */
export const SECRET_COLUMN = /(^|_)(secret|password|wrapped|token_hash|key_hash|hashed_token|code_hash)(_|$)|_index$/;

export function isSecretColumn(name: string): boolean {
  return SECRET_COLUMN.test(name);
}

export async function listTenantTables(k: Kysely<Database>): Promise<TenantTable[]> {
  const { rows } = await sql<{ table: string; column: string; type: string; key_pos: number | null }>`
    select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type,
           array_position(pk.conkey, a.attnum) as key_pos
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_constraint pk on pk.conrelid = c.oid and pk.contype = 'p'
     where c.relkind in ('r', 'p')
       and exists (select 1 from pg_attribute o where o.attrelid = c.oid and o.attname = 'org_id' and not o.attisdropped)
     order by c.relname, a.attnum`.execute(k);
  const tables = new Map<string, TenantTable & { keyPos: [number, string][] }>();
  for (const r of rows) {
    let t = tables.get(r.table);
    if (!t) {
      t = { table: r.table, key: [], columns: [], keyPos: [] };
      tables.set(r.table, t);
    }
    t.columns.push({ name: r.column, type: r.type });
    if (r.key_pos !== null) t.keyPos.push([Number(r.key_pos), r.column]);
  }
  return [...tables.values()].map(({ keyPos, ...t }) => ({ ...t, key: keyPos.sort((a, b) => a[0] - b[0]).map(([, c]) => c) }));
}
