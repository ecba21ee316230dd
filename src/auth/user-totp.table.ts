import type { ColumnType, Selectable } from 'kysely';

// One TOTP authenticator per user; the secret is encrypted at rest. `confirmed_at` is null while enrolment
// is pending. `last_used_step` refuses replays; `failed_attempts`/`locked_until` implement the lockout.
export interface UserTotpTable {
  user_id: string;
  secret_encrypted: string;
  confirmed_at: Date | null;
  // int8 comes back from node-postgres as a string (see database.ts).
  last_used_step: ColumnType<string | null, string | number | null, string | number | null>;
  failed_attempts: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  created_at: ColumnType<Date, Date | undefined, Date>;
}
export type UserTotp = Selectable<UserTotpTable>;
