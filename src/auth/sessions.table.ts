import type { ColumnType, Selectable } from 'kysely';

export type SessionStage = 'password' | 'full';

// Server-side sessions. Only the SHA-256 of the cookie token is stored; a stolen database cannot be
// replayed as cookies. Revocation deletes the row, so it takes effect on the next request.
export interface SessionsTable {
  id: ColumnType<string, string | undefined, never>;
  user_id: string;
  token_hash: string;
  stage: SessionStage;
  created_at: ColumnType<Date, Date, never>;
  last_seen_at: Date;
  recent_auth_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}
export type Session = Selectable<SessionsTable>;
