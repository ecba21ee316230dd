import type { Insertable, Selectable, Updateable } from 'kysely';
import type { KeyPurpose } from './key-purpose.js';

/**
 * Progress of re-encrypting one column of one scope to one data-key version. Saved in the same transaction
 * as each batch, so a crash resumes after the last committed batch. System table (ids only, no values).
 */
export interface CryptoReencryptionCursorsTable {
  org_id: string | null;
  purpose: KeyPurpose;
  target_version: number;
  table_name: string;
  column_name: string;
  /** Last row id (as text) rewritten or skipped; NULL before the first batch. */
  last_row_id: string | null;
  rows_rewritten: number;
  done: boolean;
  updated_at: Date;
}
export type CryptoReencryptionCursor = Selectable<CryptoReencryptionCursorsTable>;
export type NewCryptoReencryptionCursor = Insertable<CryptoReencryptionCursorsTable>;
export type CryptoReencryptionCursorUpdate = Updateable<CryptoReencryptionCursorsTable>;
