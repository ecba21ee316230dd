// api_tokens (tenant, forced RLS) and api_token_directory (prefix → organisation; no secrets).
import type { Generated, Selectable } from 'kysely';

export interface ApiTokensTable {
  id: Generated<string>;
  org_id: string;
  /** Public lookup id, part of the token itself (mowt_<prefix>_<secret>). */
  prefix: string;
  /** SHA-256 (hex) of the whole token. */
  secret_hash: string;
  name_encrypted: string;
  /** Space-separated scopes. */
  scopes: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  last_used_ip_encrypted: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}
export type ApiTokenRow = Selectable<ApiTokensTable>;

export interface ApiTokenDirectoryTable {
  prefix: string;
  token_id: string;
  org_id: string;
}
