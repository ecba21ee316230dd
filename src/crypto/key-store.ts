// Repository for key metadata: plain functions over a Kysely transaction. Row-level security decides what
// an organisation's transaction may see of crypto_data_keys; crypto_keks holds only KMS references.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CryptoDataKey, DataKeyStatus } from './crypto-data-keys.table.js';
import type { CryptoKek, KekStatus } from './crypto-keks.table.js';
import { orgIdOf, type KeyPurpose, type Scope } from './key-purpose.js';
import type { KmsKind } from './kms.js';

export type Queryable = Kysely<Database>;

/** `<table>.org_id` matches the scope: NULL for the system scope. Qualified, because queries join both tables. */
function inScope(table: 'crypto_keks' | 'crypto_data_keys', scope: Scope) {
  const orgId = orgIdOf(scope);
  const column = sql.ref(`${table}.org_id`);
  return orgId === null ? sql<boolean>`${column} is null` : sql<boolean>`${column} = ${orgId}`;
}

export interface WrappedDataKey {
  id: number;
  version: number;
  status: DataKeyStatus;
  wrappedKey: Buffer | null;
  kekId: number;
  kekRef: string;
  kekKind: KmsKind;
  kekStatus: KekStatus;
}

const dataKeyColumns = [
  'crypto_data_keys.id',
  'crypto_data_keys.version',
  'crypto_data_keys.status',
  'crypto_data_keys.wrapped_key',
  'crypto_data_keys.kek_id',
  'crypto_keks.kms_ref',
  'crypto_keks.kms_kind',
  'crypto_keks.status as kek_status',
] as const;

function toWrapped(row: {
  id: number;
  version: number;
  status: DataKeyStatus;
  wrapped_key: Uint8Array | null;
  kek_id: number;
  kms_ref: string;
  kms_kind: KmsKind;
  kek_status: KekStatus;
}): WrappedDataKey {
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    // node-postgres returns Buffer, PGlite Uint8Array.
    wrappedKey: row.wrapped_key === null ? null : Buffer.from(row.wrapped_key),
    kekId: row.kek_id,
    kekRef: row.kms_ref,
    kekKind: row.kms_kind,
    kekStatus: row.kek_status,
  };
}

/** The data key new values are encrypted with, or undefined. */
export async function findActiveDataKey(tx: Queryable, scope: Scope, purpose: KeyPurpose): Promise<WrappedDataKey | undefined> {
  const row = await tx
    .selectFrom('crypto_data_keys')
    .innerJoin('crypto_keks', 'crypto_keks.id', 'crypto_data_keys.kek_id')
    .select(dataKeyColumns)
    .where(inScope('crypto_data_keys', scope))
    .where('crypto_data_keys.purpose', '=', purpose)
    .where('crypto_data_keys.status', '=', 'active')
    .executeTakeFirst();
  return row && toWrapped(row);
}

export async function findDataKeyVersion(
  tx: Queryable,
  scope: Scope,
  purpose: KeyPurpose,
  version: number,
): Promise<WrappedDataKey | undefined> {
  const row = await tx
    .selectFrom('crypto_data_keys')
    .innerJoin('crypto_keks', 'crypto_keks.id', 'crypto_data_keys.kek_id')
    .select(dataKeyColumns)
    .where(inScope('crypto_data_keys', scope))
    .where('crypto_data_keys.purpose', '=', purpose)
    .where('crypto_data_keys.version', '=', version)
    .executeTakeFirst();
  return row && toWrapped(row);
}

export async function listDataKeys(tx: Queryable, scope: Scope, purpose?: KeyPurpose): Promise<CryptoDataKey[]> {
  let q = tx.selectFrom('crypto_data_keys').selectAll().where(inScope('crypto_data_keys', scope));
  if (purpose) q = q.where('purpose', '=', purpose);
  return q.orderBy('purpose').orderBy('version').execute();
}

export async function listKeks(tx: Queryable, scope: Scope, purpose?: KeyPurpose): Promise<CryptoKek[]> {
  let q = tx.selectFrom('crypto_keks').selectAll().where(inScope('crypto_keks', scope));
  if (purpose) q = q.where('purpose', '=', purpose);
  return q.orderBy('purpose').orderBy('version').execute();
}

export async function findActiveKek(tx: Queryable, scope: Scope, purpose: KeyPurpose): Promise<CryptoKek | undefined> {
  return tx
    .selectFrom('crypto_keks')
    .selectAll()
    .where(inScope('crypto_keks', scope))
    .where('purpose', '=', purpose)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

/** Inserts a KEK version; undefined when another process inserted the same version first. */
export async function insertKek(
  tx: Queryable,
  row: { scope: Scope; purpose: KeyPurpose; version: number; kmsKind: KmsKind; kmsRef: string; createdAt: Date },
): Promise<CryptoKek | undefined> {
  return tx
    .insertInto('crypto_keks')
    .values({
      org_id: orgIdOf(row.scope),
      purpose: row.purpose,
      version: row.version,
      kms_kind: row.kmsKind,
      kms_ref: row.kmsRef,
      status: 'active',
      created_at: row.createdAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Inserts a data key version; undefined when another process inserted the same version first. */
export async function insertDataKey(
  tx: Queryable,
  row: { scope: Scope; purpose: KeyPurpose; version: number; kekId: number; wrappedKey: Buffer; createdAt: Date },
): Promise<{ id: number } | undefined> {
  return tx
    .insertInto('crypto_data_keys')
    .values({
      org_id: orgIdOf(row.scope),
      purpose: row.purpose,
      version: row.version,
      kek_id: row.kekId,
      wrapped_key: row.wrappedKey,
      status: 'active',
      created_at: row.createdAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
}

export async function setKekStatus(
  tx: Queryable,
  kekId: number,
  change: { status: KekStatus; retiredAt?: Date; destroyAfter?: Date; destroyedAt?: Date },
): Promise<void> {
  await tx
    .updateTable('crypto_keks')
    .set({
      status: change.status,
      ...(change.retiredAt ? { retired_at: change.retiredAt } : {}),
      ...(change.destroyAfter ? { destroy_after: change.destroyAfter } : {}),
      ...(change.destroyedAt ? { destroyed_at: change.destroyedAt } : {}),
    })
    .where('id', '=', kekId)
    .execute();
}

export async function setDataKeyStatus(
  tx: Queryable,
  dataKeyId: number,
  change: { status: Exclude<DataKeyStatus, 'destroyed'>; retiredAt?: Date },
): Promise<void> {
  await tx
    .updateTable('crypto_data_keys')
    .set({ status: change.status, ...(change.retiredAt ? { retired_at: change.retiredAt } : {}) })
    .where('id', '=', dataKeyId)
    .execute();
}

/** Replaces a data key's wrapping (rotation re-wrap); only if it is still wrapped by fromKekId. */
export async function rewrapDataKey(tx: Queryable, dataKeyId: number, fromKekId: number, toKekId: number, wrapped: Buffer): Promise<boolean> {
  const result = await tx
    .updateTable('crypto_data_keys')
    .set({ kek_id: toKekId, wrapped_key: wrapped })
    .where('id', '=', dataKeyId)
    .where('kek_id', '=', fromKekId)
    .where('status', '!=', 'destroyed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Wipes the wrapped key and marks the version destroyed. */
export async function destroyDataKeyRow(tx: Queryable, dataKeyId: number, at: Date): Promise<void> {
  await tx
    .updateTable('crypto_data_keys')
    .set({ status: 'destroyed', wrapped_key: null, destroyed_at: at })
    .where('id', '=', dataKeyId)
    .execute();
}

/** Data keys (not destroyed) still wrapped by a KEK other than the active one of their scope and purpose. */
export async function dataKeysWrappedBy(tx: Queryable, kekId: number, limit: number): Promise<CryptoDataKey[]> {
  return tx
    .selectFrom('crypto_data_keys')
    .selectAll()
    .where('kek_id', '=', kekId)
    .where('status', '!=', 'destroyed')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countDataKeysWrappedBy(tx: Queryable, kekId: number): Promise<number> {
  const row = await tx
    .selectFrom('crypto_data_keys')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('kek_id', '=', kekId)
    .where('status', '!=', 'destroyed')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every (scope, purpose) that has key-encryption keys, with its active version's age. */
export async function listKeyScopes(
  tx: Queryable,
): Promise<{ scope: Scope; purpose: KeyPurpose; activeKekId: number | null; activeCreatedAt: Date | null; destroyed: boolean }[]> {
  const rows = await sql<{ org_id: string | null; purpose: KeyPurpose; active_id: number | null; active_created_at: Date | null; live: number | string }>`
    select org_id, purpose,
      max(id) filter (where status = 'active') as active_id,
      max(created_at) filter (where status = 'active') as active_created_at,
      count(*) filter (where status <> 'destroyed') as live
    from crypto_keks group by org_id, purpose order by org_id nulls first, purpose`.execute(tx);
  return rows.rows.map((r) => ({
    scope: r.org_id ?? 'system',
    purpose: r.purpose,
    activeKekId: r.active_id,
    activeCreatedAt: r.active_created_at === null ? null : new Date(r.active_created_at),
    destroyed: Number(r.live) === 0,
  }));
}
