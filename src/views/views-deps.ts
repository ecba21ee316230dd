// What the views slice needs from the composition root.
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';

export interface ViewsDeps {
  db: Db;
  clock: Clock;
  crypto: Pick<FieldCrypto, 'encryptField' | 'decryptField'>;
}

/** Who did it and from where, for the audit entry. */
export interface Actor {
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
}
