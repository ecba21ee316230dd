// A lease row keeps two rotations (the scheduled job on several workers, an operator's CLI run) from
// working at once. It expires on its own, so a crashed holder never blocks rotation for good.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { withoutOrg } from '../db/tenant.js';
import { RotationBusyError } from './errors.js';

const LEASE = 'key-rotation';

export async function acquireRotationLease(db: Db, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const expires = new Date(now.getTime() + ttlMs);
  const { rows } = await withoutOrg(db, (tx) =>
    sql<{ holder: string }>`insert into crypto_rotation_leases (name, holder, expires_at) values (${LEASE}, ${holder}, ${expires})
      on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where crypto_rotation_leases.expires_at < ${now} or crypto_rotation_leases.holder = ${holder}
      returning holder`.execute(tx),
  );
  return rows.length === 1;
}

export async function renewRotationLease(db: Db, holder: string, now: Date, ttlMs: number): Promise<void> {
  const result = await withoutOrg(db, (tx) =>
    tx
      .updateTable('crypto_rotation_leases')
      .set({ expires_at: new Date(now.getTime() + ttlMs) })
      .where('name', '=', LEASE)
      .where('holder', '=', holder)
      .executeTakeFirst(),
  );
  if (Number(result.numUpdatedRows) !== 1) throw new RotationBusyError('the key-rotation lease was lost to another process');
}

export async function releaseRotationLease(db: Db, holder: string): Promise<void> {
  await withoutOrg(db, (tx) => tx.deleteFrom('crypto_rotation_leases').where('name', '=', LEASE).where('holder', '=', holder).execute());
}
