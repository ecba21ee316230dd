import type { ColumnType, Selectable } from 'kysely';

export type AuditActorType = 'user' | 'staff' | 'system' | 'token';
export type AuditResult = 'success' | 'failure' | 'denied';
export type AuditMetadata = { [key: string]: AuditJson };
export type AuditJson = string | number | boolean | null | AuditJson[] | { [key: string]: AuditJson };

// Append-only: the app role has INSERT and SELECT only. seq and bigint come back from node-postgres as
// strings (int8 is not a safe JS number), so seq is typed as string | number on read.
export interface AuditLogTable {
  id: ColumnType<string, string, never>;
  org_id: string | null;
  seq: ColumnType<string, number, never>;
  actor_type: AuditActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  occurred_at: ColumnType<Date, Date, never>;
  ip: string | null;
  user_agent: string | null;
  result: AuditResult;
  metadata: ColumnType<AuditMetadata, string, never>;
  prev_hash: string;
  hash: string;
}
export type AuditLogRow = Selectable<AuditLogTable>;

// Last seq and hash of each chain (chain_id = org id, or the nil uuid for the system chain).
export interface AuditChainHeadsTable {
  chain_id: string;
  seq: ColumnType<string, number, number>;
  hash: string;
}
