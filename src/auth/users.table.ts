import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

// A person who can sign in. Not tenant-scoped: one user may belong to several organisations.
// The address is kept encrypted; `email_index` (a keyed blind index of the normalised address) finds it.
export interface UsersTable {
  id: ColumnType<string, string | undefined, never>;
  email_encrypted: string;
  email_index: string;
  name: string;
  email_verified_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
