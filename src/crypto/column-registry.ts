// Where encrypted values live. Each slice declares its encrypted columns once (next to its table type);
// the re-encryption job walks every declared column generically after a data-key rotation, and the
// pg_dump test checks them. A column that holds ciphertexts but is not declared would keep depending on
// old key versions, so declaring is part of adding an encrypted column.
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
