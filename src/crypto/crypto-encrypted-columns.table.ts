import type { Selectable } from 'kysely';
import type { FieldPurpose } from './key-purpose.js';

/** Encrypted columns declared by migrations; read by the re-encryption job. System table, read-only to the app. */
export interface CryptoEncryptedColumnsTable {
  table_name: string;
  column_name: string;
  id_column: string;
  org_column: string | null;
  purpose: FieldPurpose;
}
export type CryptoEncryptedColumn = Selectable<CryptoEncryptedColumnsTable>;
