// Where encrypted values live. A slice declares each encrypted column once, in the migration that creates
// it (declareEncryptedColumns): the declaration is then in the database, so the re-encryption job finds it
// whichever process runs it (CLI, worker) without importing every slice. A column that holds ciphertexts
// but is not declared would keep depending on old key versions, so declaring is part of adding one.
// Tests (and code-only tables) can use an EncryptedColumnRegistry instance instead; both are merged.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { FieldPurpose } from './key-purpose.js';

export interface EncryptedColumn {
  table: string;
  /** Column holding the mw1:… text. */
  column: string;
  /** Primary-key column whose value, as text, is the rowId in the field context. */
  idColumn: string;
  /** Organisation column; null when the table holds system-scope values (e.g. users). */
  orgColumn: string | null;
  /** Key purpose the values are encrypted under (default 'data'). */
  purpose?: FieldPurpose;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export class EncryptedColumnRegistry {
  private readonly columns = new Map<string, Required<EncryptedColumn>>();

  /** Declares a column; declaring the same column again with the same shape is harmless. */
  declare(column: EncryptedColumn): void {
    for (const name of [column.table, column.column, column.idColumn, column.orgColumn ?? 'org_id']) {
      if (!IDENT.test(name)) throw new TypeError(`encrypted column declaration: ${JSON.stringify(name)} is not a plain SQL identifier`);
    }
    const full: Required<EncryptedColumn> = { ...column, purpose: column.purpose ?? 'data' };
    const key = `${column.table}.${column.column}`;
    const previous = this.columns.get(key);
    if (previous && JSON.stringify(previous) !== JSON.stringify(full)) {
      throw new TypeError(`encrypted column ${key} is already declared differently`);
    }
    this.columns.set(key, full);
  }

  list(): Required<EncryptedColumn>[] {
    return [...this.columns.values()];
  }
}

/** The application-wide registry slices declare into (tests make their own). */
export const encryptedColumns = new EncryptedColumnRegistry();

/**
 * For migrations: records encrypted columns so rotation re-encrypts them. Frozen in behaviour (migrations
 * are history): it only ever upserts rows into crypto_encrypted_columns.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function declareEncryptedColumns(db: Kysely<any>, columns: EncryptedColumn[]): Promise<void> {
  const check = new EncryptedColumnRegistry();
  for (const c of columns) check.declare(c);
  for (const c of check.list()) {
    await db
      .insertInto('crypto_encrypted_columns')
      .values({ table_name: c.table, column_name: c.column, id_column: c.idColumn, org_column: c.orgColumn, purpose: c.purpose })
      .onConflict((oc) =>
        oc.columns(['table_name', 'column_name']).doUpdateSet({ id_column: c.idColumn, org_column: c.orgColumn, purpose: c.purpose }),
      )
      .execute();
  }
}

/** Columns declared in the database plus those of `registry`. */
export async function allEncryptedColumns(tx: Kysely<Database>, registry: EncryptedColumnRegistry): Promise<Required<EncryptedColumn>[]> {
  const merged = new EncryptedColumnRegistry();
  const rows = await tx.selectFrom('crypto_encrypted_columns').selectAll().orderBy('table_name').orderBy('column_name').execute();
  for (const r of rows) merged.declare({ table: r.table_name, column: r.column_name, idColumn: r.id_column, orgColumn: r.org_column, purpose: r.purpose });
  for (const c of registry.list()) merged.declare(c);
  return merged.list();
}
