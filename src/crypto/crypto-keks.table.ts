import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { KeyPurpose } from './key-purpose.js';
import type { KmsKind } from './kms.js';

/** active: wraps new data keys · retiring: data keys still wrapped by it · retired: kept for backups · destroyed */
export type KekStatus = 'active' | 'retiring' | 'retired' | 'destroyed';

/** Key-encryption key versions: references into the KMS, never key material. System table (no RLS). */
export interface CryptoKeksTable {
  id: Generated<number>;
  org_id: string | null;
  purpose: KeyPurpose;
  version: number;
  kms_kind: KmsKind;
  kms_ref: string;
  status: KekStatus;
  created_at: ColumnType<Date, Date, never>;
  retired_at: Date | null;
  destroy_after: Date | null;
  destroyed_at: Date | null;
}
export type CryptoKek = Selectable<CryptoKeksTable>;
export type NewCryptoKek = Insertable<CryptoKeksTable>;
export type CryptoKekUpdate = Updateable<CryptoKeksTable>;
