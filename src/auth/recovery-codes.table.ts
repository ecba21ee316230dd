import type { ColumnType, Selectable } from 'kysely';

// Single-use recovery codes, stored as SHA-256 of the normalised code (80 random bits each).
export interface RecoveryCodesTable {
  id: ColumnType<string, string | undefined, never>;
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type RecoveryCode = Selectable<RecoveryCodesTable>;
