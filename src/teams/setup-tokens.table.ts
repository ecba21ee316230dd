import type { ColumnType, Selectable } from 'kysely';

// The one-time setup link `npm start` prints while no user exists; only the token's SHA-256 is stored.
export interface SetupTokensTable {
  id: ColumnType<string, string | undefined, never>;
  token_hash: string;
  created_at: ColumnType<Date, Date, never>;
  expires_at: Date;
  used_at: Date | null;
}
export type SetupToken = Selectable<SetupTokensTable>;
