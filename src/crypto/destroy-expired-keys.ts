// Step 4: key versions retired longer ago than the backup retention (one year) are destroyed: KEK material
// in the KMS or keyring, and the old data keys' rows wiped. Backups older than that become undecryptable,
// which is the point: nothing outlives its retention window.
import { sql } from 'kysely';
import { withoutOrg, type Tx } from '../db/tenant.js';
import { ciphertextPrefix } from './ciphertext-format.js';
import type { EncryptedColumn } from './column-registry.js';
import type { DataKeys } from './data-keys.js';
import type { KeyEventBatch } from './key-events.js';
import { SYSTEM_SCOPE, orgIdOf, type FieldPurpose, type Scope } from './key-purpose.js';
import { destroyDataKeyRow, listDataKeys, setKekStatus } from './key-store.js';

/** A column that looks encrypted but was not declared; rls tells whether row-level security scopes it. */
export interface SuspectColumn {
  table: string;
  column: string;
  rls: boolean;
}

export interface LiveColumns {
  declared: Required<EncryptedColumn>[];
  suspects: SuspectColumn[];
}

/**
 * Columns that still hold values under this data-key version. A safety net under re-encryption: an old data
 * key is never destroyed while any value — even in a column nobody declared — still needs it.
 */
async function columnsStillUsing(tx: Tx, scope: Scope, purpose: FieldPurpose, version: number, live: LiveColumns): Promise<string[]> {
  const orgId = orgIdOf(scope);
  const like = `${ciphertextPrefix(purpose, version)}%`;
  const checks: { table: string; name: string; where: ReturnType<typeof sql<boolean>> }[] = [];
  for (const c of live.declared) {
    if (c.purpose !== purpose || (c.orgColumn === null) !== (orgId === null)) continue;
    const value = sql.ref(c.column);
    checks.push({
      table: c.table,
      name: `${c.table}.${c.column}`,
      where: c.orgColumn === null ? sql<boolean>`${value} like ${like}` : sql<boolean>`${sql.ref(c.orgColumn)} = ${orgId} and ${value} like ${like}`,
    });
  }
  // Undeclared: tables under RLS show only this organisation's rows here; tables without RLS hold system values.
  for (const c of live.suspects) {
    if (c.rls === (orgId === null)) continue;
    checks.push({ table: c.table, name: `${c.table}.${c.column}`, where: sql<boolean>`${sql.ref(c.column)} like ${like}` });
  }
  const used: string[] = [];
  for (const check of checks) {
    const { rows } = await sql<{ used: boolean }>`select exists (select 1 from ${sql.table(check.table)} where ${check.where}) as used`.execute(tx);
    if (rows[0]?.used) used.push(check.name);
  }
  return used;
}

export async function destroyExpiredKeys(
  keys: DataKeys,
  retentionMs: number,
  events: KeyEventBatch,
  live: LiveColumns = { declared: [], suspects: [] },
): Promise<{
  destroyedKeks: number;
  destroyedDataKeys: number;
  kept: { orgId: string | null; purpose: FieldPurpose; version: number; columns: string[] }[];
}> {
  const { db, kms, clock } = keys;
  const now = clock();
  const cutoff = new Date(now.getTime() - retentionMs);
  let destroyedKeks = 0;
  let destroyedDataKeys = 0;
  const kept: { orgId: string | null; purpose: FieldPurpose; version: number; columns: string[] }[] = [];

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
      let destroyedHere = 0;
      let keepRotationOpen = false;
      for (const dk of old) {
        const purpose = rot.purpose as FieldPurpose;
        const stillUsed = await columnsStillUsing(tx, scope, purpose, dk.version, live);
        if (stillUsed.length > 0) {
          kept.push({ orgId: rot.org_id, purpose, version: dk.version, columns: stillUsed });
          keepRotationOpen = true;
          continue;
        }
        destroyedHere += 1;
        await destroyDataKeyRow(tx, dk.id, now);
        await events.record(tx, { type: 'data_key.destroyed', orgId: rot.org_id, purpose: rot.purpose, version: dk.version, at: now, detail: { reason: 'retention' } });
      }
      // Kept keys are checked again on the next run.
      if (!keepRotationOpen) await tx.updateTable('crypto_rotations').set({ old_keys_destroyed_at: now }).where('id', '=', rot.id).execute();
      return destroyedHere;
    });
  }
  return { destroyedKeks, destroyedDataKeys, kept };
}
