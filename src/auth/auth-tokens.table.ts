import type { ColumnType, Selectable } from 'kysely';

export type AuthTokenPurpose = 'verify-email' | 'reset-password';

// Mailed single-use tokens (email verification, password reset): only the SHA-256 is stored.
export interface AuthTokensTable {
  id: ColumnType<string, string | undefined, never>;
  user_id: string;
  purpose: AuthTokenPurpose;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: ColumnType<Date, Date, never>;
}
export type AuthToken = Selectable<AuthTokensTable>;
