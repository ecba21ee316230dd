import type { ColumnType, Selectable } from 'kysely';
import type { Role } from './permissions.js';

// Who belongs to which organisation, in which role. Tenant table (RLS on org_id); a user may also read
// their own rows across organisations (policy memberships_own_rows, see docs/decisions/031).
export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: Role;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type Membership = Selectable<MembershipsTable>;
