import type { ColumnType, Selectable } from 'kysely';
import type { Role } from './permissions.js';

// Pending invitations. The address is stored encrypted with a blind index (the same index as users.email_index,
// so an accepting user can be matched); the mailed token is stored only as its SHA-256.
export interface InvitesTable {
  id: ColumnType<string, string | undefined, never>;
  org_id: string;
  email_index: string;
  email_encrypted: string;
  role: Role;
  token_hash: string;
  invited_by: string | null;
  created_at: ColumnType<Date, Date, never>;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
}
export type Invite = Selectable<InvitesTable>;
