// Step 4: key versions retired longer ago than the backup retention (one year) are destroyed: KEK material
// in the KMS or keyring, and the old data keys' rows wiped. Backups older than that become undecryptable,
// which is the point: nothing outlives its retention window.
import { withoutOrg } from '../db/tenant.js';
import type { DataKeys } from './data-keys.js';
import type { KeyEventBatch } from './key-events.js';
import { SYSTEM_SCOPE } from './key-purpose.js';
import { destroyDataKeyRow, listDataKeys, setKekStatus } from './key-store.js';

export async function destroyExpiredKeys(
  keys: DataKeys,
  retentionMs: number,
  events: KeyEventBatch,
): Promise<{ destroyedKeks: number; destroyedDataKeys: number }> {
  const { db, kms, clock } = keys;
  const now = clock();
  const cutoff = new Date(now.getTime() - retentionMs);
  let destroyedKeks = 0;
  let destroyedDataKeys = 0;

  const expiredKeks = await withoutOrg(db, (tx) =>
    tx.selectFrom('crypto_keks').selectAll().where('status', '=', 'retired').where('destroy_after', '<=', now).orderBy('id').execute(),
  );
  for (const kek of expiredKeks) {
    const scope = kek.org_id ?? SYSTEM_SCOPE;
    await keys.inScope(scope, undefined, async (tx) => {
      await setKekStatus(tx, kek.id, { status: 'destroyed', destroyedAt: now });
      await events.record(tx, { type: 'kek.destroyed', orgId: kek.org_id, purpose: kek.purpose, version: kek.version, at: now, detail: { reason: 'retention' } });
      await kms.destroyKek(kek.kms_ref);
    });
    destroyedKeks += 1;
  }

  const expiredRotations = await withoutOrg(db, (tx) =>
    tx
      .selectFrom('crypto_rotations')
      .selectAll()
      .where('finished_at', '<=', cutoff)
      .where('old_keys_destroyed_at', 'is', null)
      .orderBy('id')
      .execute(),
  );
  for (const rot of expiredRotations) {
    const scope = rot.org_id ?? SYSTEM_SCOPE;
    destroyedDataKeys += await keys.inScope(scope, undefined, async (tx) => {
      const old = (await listDataKeys(tx, scope, rot.purpose)).filter(
        (k) => k.status === 'retired' && k.retired_at !== null && k.retired_at <= cutoff && rot.dek_version_to !== null && k.version < rot.dek_version_to,
      );
      for (const dk of old) {
        await destroyDataKeyRow(tx, dk.id, now);
        await events.record(tx, { type: 'data_key.destroyed', orgId: rot.org_id, purpose: rot.purpose, version: dk.version, at: now, detail: { reason: 'retention' } });
      }
      await tx.updateTable('crypto_rotations').set({ old_keys_destroyed_at: now }).where('id', '=', rot.id).execute();
      return old.length;
    });
  }
  return { destroyedKeks, destroyedDataKeys };
}
