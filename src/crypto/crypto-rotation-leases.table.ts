import type { Insertable, Selectable, Updateable } from 'kysely';

/** One row per lease name: which process is rotating keys, until when. Keeps two rotations from overlapping. */
export interface CryptoRotationLeasesTable {
  name: string;
  holder: string;
  expires_at: Date;
}
export type CryptoRotationLease = Selectable<CryptoRotationLeasesTable>;
export type NewCryptoRotationLease = Insertable<CryptoRotationLeasesTable>;
export type CryptoRotationLeaseUpdate = Updateable<CryptoRotationLeasesTable>;
