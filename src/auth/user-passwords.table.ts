import type { ColumnType, Selectable } from 'kysely';

// Password hashes live apart from users so that selecting a user never returns one.
export interface UserPasswordsTable {
  user_id: string;
  hash: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type UserPassword = Selectable<UserPasswordsTable>;
