import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { KeyPurpose } from './key-purpose.js';

/**
 * One row per rotation of one scope and purpose: which versions it moved between and how far it got.
 * Unfinished rows are the rotation job's work list after a crash. System table (ids and dates only).
 */
export interface CryptoRotationsTable {
  id: Generated<number>;
  org_id: string | null;
  purpose: KeyPurpose;
  reason: 'due' | 'forced';
  kek_version_from: number;
  kek_version_to: number;
  /** NULL for the index purpose, whose key is re-wrapped but never replaced (indexes must stay stable). */
  dek_version_from: number | null;
  dek_version_to: number | null;
  started_at: ColumnType<Date, Date, never>;
  rewrapped_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  reencrypted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  rows_reencrypted: Generated<number>;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  old_keys_destroyed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export type CryptoRotation = Selectable<CryptoRotationsTable>;
export type NewCryptoRotation = Insertable<CryptoRotationsTable>;
export type CryptoRotationUpdate = Updateable<CryptoRotationsTable>;
