// Step 2: every data key still wrapped by a retiring KEK is unwrapped and wrapped again under the active
// KEK of its scope and purpose, a batch per transaction. A reader sees either the old or the new wrapping
// (one row update), and both KEKs work until the old one is retired, so reads never fail meanwhile.
import { withoutOrg } from '../db/tenant.js';
import type { DataKeys } from './data-keys.js';
import { CryptoError } from './errors.js';
import type { KeyEventBatch } from './key-events.js';
import { SYSTEM_SCOPE } from './key-purpose.js';
import { countDataKeysWrappedBy, dataKeysWrappedBy, findActiveKek, rewrapDataKey, setKekStatus } from './key-store.js';

export interface RewrapOptions {
  batchSize: number;
  retentionMs: number;
  onBatch?: (info: { orgId: string | null; purpose: string; kekVersion: number; rewrapped: number }) => Promise<void> | void;
}

export async function rewrapRetiringKeks(
  keys: DataKeys,
  opts: RewrapOptions,
  events: KeyEventBatch,
): Promise<{ rewrapped: number; retiredKeks: number }> {
  const { db, kms, clock } = keys;
  const retiring = await withoutOrg(db, (tx) =>
    tx.selectFrom('crypto_keks').selectAll().where('status', '=', 'retiring').orderBy('id').execute(),
  );
  let rewrapped = 0;
  let retiredKeks = 0;
  for (const old of retiring) {
    const scope = old.org_id ?? SYSTEM_SCOPE;
    const ctx = { scope, purpose: old.purpose };
    for (;;) {
      const step = await keys.inScope(scope, undefined, async (tx) => {
        const target = await findActiveKek(tx, scope, old.purpose);
        if (!target) throw new CryptoError(`the ${old.purpose} keys of ${scope} have no active key-encryption key`);
        const batch = await dataKeysWrappedBy(tx, old.id, opts.batchSize);
        let n = 0;
        for (const dk of batch) {
          if (dk.wrapped_key === null) continue;
          const raw = await kms.unwrapKey(old.kms_ref, Buffer.from(dk.wrapped_key), ctx);
          try {
            const wrapped = await kms.wrapKey(target.kms_ref, raw, ctx);
            if (await rewrapDataKey(tx, dk.id, old.id, target.id, wrapped)) n += 1;
          } finally {
            raw.fill(0);
          }
        }
        let retired = false;
        if (batch.length < opts.batchSize && (await countDataKeysWrappedBy(tx, old.id)) === 0) {
          // Nothing live uses it any more: retired for all use, kept for backups until the retention passes.
          const at = clock();
          await setKekStatus(tx, old.id, { status: 'retired', retiredAt: at, destroyAfter: new Date(at.getTime() + opts.retentionMs) });
          await tx
            .updateTable('crypto_rotations')
            .set({ rewrapped_at: at })
            .where((eb) => (old.org_id === null ? eb('org_id', 'is', null) : eb('org_id', '=', old.org_id)))
            .where('purpose', '=', old.purpose)
            .where('kek_version_from', '=', old.version)
            .where('rewrapped_at', 'is', null)
            .execute();
          await events.record(tx, {
            type: 'kek.retired',
            orgId: old.org_id,
            purpose: old.purpose,
            version: old.version,
            at,
            detail: { destroyAfter: new Date(at.getTime() + opts.retentionMs).toISOString(), rewrappedDataKeys: n },
          });
          retired = true;
        }
        return { n, more: batch.length === opts.batchSize, retired };
      });
      rewrapped += step.n;
      if (step.retired) retiredKeks += 1;
      await opts.onBatch?.({ orgId: old.org_id, purpose: old.purpose, kekVersion: old.version, rewrapped: step.n });
      if (!step.more) break;
    }
  }
  return { rewrapped, retiredKeks };
}
