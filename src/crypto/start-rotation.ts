// Step 1 of a rotation, for one scope and purpose, in one transaction: a new KEK version becomes active
// (the old one is "retiring" until no data key is wrapped by it), and — except for the blind-index key,
// which must stay stable for lookups — a new data key version becomes active for new writes at once.
import type { DataKeys } from './data-keys.js';
import { CryptoError } from './errors.js';
import type { KeyEventBatch } from './key-events.js';
import { isFieldPurpose, orgIdOf, type KeyPurpose, type Scope } from './key-purpose.js';
import {
  findActiveDataKey,
  findActiveKek,
  insertDataKey,
  insertKek,
  listDataKeys,
  listKeks,
  setDataKeyStatus,
  setKekStatus,
} from './key-store.js';

export interface StartedRotation {
  orgId: string | null;
  purpose: KeyPurpose;
  kekFrom: number;
  kekTo: number;
  dekFrom: number | null;
  dekTo: number | null;
}

export async function startRotation(
  keys: DataKeys,
  scope: Scope,
  purpose: KeyPurpose,
  reason: 'due' | 'forced',
  events: KeyEventBatch,
): Promise<StartedRotation | null> {
  const { kms, clock } = keys;
  const started = await keys.inScope(scope, undefined, async (tx) => {
    const active = await findActiveKek(tx, scope, purpose);
    if (!active) return null;
    const at = clock();
    const kekTo = Math.max(...(await listKeks(tx, scope, purpose)).map((k) => k.version)) + 1;
    const ref = await kms.createKek({ scope, purpose, version: kekTo });
    await setKekStatus(tx, active.id, { status: 'retiring' });
    const kek = await insertKek(tx, { scope, purpose, version: kekTo, kmsKind: kms.kind, kmsRef: ref, createdAt: at });
    if (!kek) throw new CryptoError(`another process is rotating the ${purpose} key of ${scope}`);
    const rotation: StartedRotation = { orgId: orgIdOf(scope), purpose, kekFrom: active.version, kekTo, dekFrom: null, dekTo: null };
    await events.record(tx, { type: 'kek.rotated', orgId: rotation.orgId, purpose, version: kekTo, at, detail: { from: active.version, reason } });

    if (isFieldPurpose(purpose)) {
      const dek = await findActiveDataKey(tx, scope, purpose);
      if (dek) {
        const dekTo = Math.max(...(await listDataKeys(tx, scope, purpose)).map((k) => k.version)) + 1;
        await setDataKeyStatus(tx, dek.id, { status: 'retiring' });
        const { plaintext, wrapped } = await kms.generateDataKey(kek.kms_ref, { scope, purpose });
        plaintext.fill(0);
        await insertDataKey(tx, { scope, purpose, version: dekTo, kekId: kek.id, wrappedKey: wrapped, createdAt: at });
        rotation.dekFrom = dek.version;
        rotation.dekTo = dekTo;
        await events.record(tx, { type: 'data_key.rotated', orgId: rotation.orgId, purpose, version: dekTo, at, detail: { from: dek.version, reason } });
      }
    }
    await tx
      .insertInto('crypto_rotations')
      .values({
        org_id: rotation.orgId,
        purpose,
        reason,
        kek_version_from: rotation.kekFrom,
        kek_version_to: rotation.kekTo,
        dek_version_from: rotation.dekFrom,
        dek_version_to: rotation.dekTo,
        started_at: at,
      })
      .execute();
    return rotation;
  });
  // This process writes with the new version from now on; others pick it up within the cache TTL.
  keys.forget(scope);
  return started;
}
