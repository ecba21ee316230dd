import type { ColumnType, Selectable } from 'kysely';

// A Mowt staff member: not a user, no organisation membership. Address and TOTP seed encrypted (system key).
export interface StaffAccountsTable {
  id: ColumnType<string, string | undefined, never>;
  email_index: string;
  email_encrypted: string;
  name: string;
  password_hash: string | null;
  totp_secret_encrypted: string | null;
  totp_confirmed_at: Date | null;
  totp_last_step: ColumnType<string | null, string | number | null, string | number | null>;
  failed_attempts: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  setup_token_hash: string | null;
  setup_expires_at: Date | null;
  created_at: Date;
  disabled_at: Date | null;
}
export type StaffAccount = Selectable<StaffAccountsTable>;

export type StaffSessionStage = 'password' | 'full';

export interface StaffSessionsTable {
  id: ColumnType<string, string | undefined, never>;
  staff_id: string;
  token_hash: string;
  stage: StaffSessionStage;
  created_at: Date;
  last_seen_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export type GrantStatus = 'pending' | 'approved' | 'refused' | 'revoked' | 'cancelled';

// A staff member's request to read one organisation's data, and the Admin's decision (tenant table).
export interface StaffAccessGrantsTable {
  id: ColumnType<string, string | undefined, never>;
  org_id: string;
  staff_id: string;
  reason_encrypted: string;
  requested_hours: number;
  status: GrantStatus;
  requested_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  starts_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  end_reason: string | null;
  request_count: ColumnType<number, number | undefined, number>;
  last_used_at: Date | null;
}
export type StaffAccessGrant = Selectable<StaffAccessGrantsTable>;
