import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { KeyPurpose } from './key-purpose.js';

/** active: encrypts new values · retiring: values still being re-encrypted · retired: decrypt-only · destroyed */
export type DataKeyStatus = 'active' | 'retiring' | 'retired' | 'destroyed';

/** Data key versions, only ever stored wrapped by a KEK. Tenant rows under RLS; org_id NULL = system scope. */
export interface CryptoDataKeysTable {
  id: Generated<number>;
  org_id: string | null;
  purpose: KeyPurpose;
  version: number;
  kek_id: number;
  /** NULL once destroyed. */
  wrapped_key: Uint8Array | null;
  status: DataKeyStatus;
  created_at: ColumnType<Date, Date, never>;
  retired_at: Date | null;
  destroyed_at: Date | null;
}
export type CryptoDataKey = Selectable<CryptoDataKeysTable>;
export type NewCryptoDataKey = Insertable<CryptoDataKeysTable>;
export type CryptoDataKeyUpdate = Updateable<CryptoDataKeysTable>;
