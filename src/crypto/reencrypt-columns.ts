// Step 3: rewrites every value still encrypted under an older data-key version, column by column, for each
// declared encrypted column (see column-registry.ts). One batch per transaction, keyset-paged by the row id;
// the cursor is saved in the same transaction as the batch, so after a crash the job resumes exactly after
// the last committed batch. Rows of a batch are locked while it is rewritten, so no concurrent write is lost.
import { sql } from 'kysely';
import type { Tx } from '../db/tenant.js';
import { ciphertextPrefix, purposePrefix } from './ciphertext-format.js';
import type { EncryptedColumn } from './column-registry.js';
import { CryptoError } from './errors.js';
import type { FieldCrypto } from './field-crypto.js';
import { orgIdOf, type FieldPurpose, type Scope } from './key-purpose.js';

export interface ReencryptBatch {
  orgId: string | null;
  purpose: FieldPurpose;
  table: string;
  column: string;
  rewritten: number;
  totalRewritten: number;
  done: boolean;
}

export interface ReencryptColumnOptions {
  batchSize: number;
  /** Called after each committed batch; throwing stops the job (the next run resumes). */
  onBatch?: (batch: ReencryptBatch) => Promise<void> | void;
}

type Column = Required<EncryptedColumn>;

function cursorKey(scope: Scope, purpose: FieldPurpose, target: number, col: Column) {
  return { org_id: orgIdOf(scope), purpose, target_version: target, table_name: col.table, column_name: col.column };
}

function whereCursor(key: ReturnType<typeof cursorKey>) {
  return sql<boolean>`${key.org_id === null ? sql`org_id is null` : sql`org_id = ${key.org_id}`}
    and purpose = ${key.purpose} and target_version = ${key.target_version}
    and table_name = ${key.table_name} and column_name = ${key.column_name}`;
}

async function loadCursor(tx: Tx, key: ReturnType<typeof cursorKey>, at: Date) {
  await tx
    .insertInto('crypto_reencryption_cursors')
    .values({ ...key, last_row_id: null, rows_rewritten: 0, done: false, updated_at: at })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return tx.selectFrom('crypto_reencryption_cursors').selectAll().where(whereCursor(key)).executeTakeFirstOrThrow();
}

/** Stale values of this purpose (any version but the active one) in the column, for this scope. */
function staleFilter(col: Column, scope: Scope, purpose: FieldPurpose, activeVersion: number) {
  const value = sql.ref(col.column);
  const orgId = orgIdOf(scope);
  // The prefixes contain only letters, digits and colons: no LIKE wildcards to escape.
  return sql<boolean>`${value} like ${`${purposePrefix(purpose)}%`} and ${value} not like ${`${ciphertextPrefix(purpose, activeVersion)}%`}
    ${orgId !== null && col.orgColumn !== null ? sql`and ${sql.ref(col.orgColumn)} = ${orgId}` : sql``}`;
}

/** Rewrites one column of one scope; returns how many values it rewrote. */
export async function reencryptColumn(
  crypto: FieldCrypto,
  col: Column,
  scope: Scope,
  purpose: FieldPurpose,
  targetVersion: number,
  opts: ReencryptColumnOptions,
): Promise<number> {
  const { keys } = crypto;
  const orgId = orgIdOf(scope);
  const key = cursorKey(scope, purpose, targetVersion, col);
  const table = sql.table(col.table);
  const id = sql.ref(col.idColumn);
  const value = sql.ref(col.column);
  let total = 0;

  // A process that had not yet noticed the new version may have written behind the cursor: check once the
  // walk ends and walk again if so (bounded, because after the grace period no process writes old versions).
  for (let round = 0; round < 3; round += 1) {
    for (;;) {
      const step = await keys.inScope(scope, undefined, async (tx) => {
        const cursor = await loadCursor(tx, key, keys.clock());
        if (cursor.done) return { rewritten: 0, done: true, prior: cursor.rows_rewritten };
        const active = await keys.active(scope, purpose, tx);
        const { rows } = await sql<{ id: string; value: string }>`
          select ${id}::text as id, ${value} as value from ${table}
          where ${staleFilter(col, scope, purpose, active.version)}
            ${cursor.last_row_id === null ? sql`` : sql`and ${id} > ${cursor.last_row_id}`}
          order by ${id} limit ${opts.batchSize} for update`.execute(tx);
        // The batch's rows are locked (FOR UPDATE) until commit, so no writer can change them between this
        // read and the write below; one UPDATE for the whole batch saves a round trip per row.
        const changes: { id: string; next: string }[] = [];
        for (const row of rows) {
          const next = await crypto.reencryptField(orgId, { table: col.table, column: col.column, rowId: row.id, purpose }, row.value, tx);
          if (next !== null) changes.push({ id: row.id, next });
        }
        let rewritten = 0;
        if (changes.length > 0) {
          // CASE <id> WHEN $n: each parameter takes the id column's own type, so any key type works.
          const cases = sql.join(changes.map((c) => sql`when ${c.id} then ${c.next}`), sql` `);
          const ids = sql.join(changes.map((c) => sql`${c.id}`));
          const res = await sql`update ${table} set ${value} = case ${id} ${cases} end where ${id} in (${ids})`.execute(tx);
          rewritten = Number(res.numAffectedRows ?? 0n);
        }
        const done = rows.length < opts.batchSize;
        await tx
          .updateTable('crypto_reencryption_cursors')
          .set({
            last_row_id: rows.at(-1)?.id ?? cursor.last_row_id,
            rows_rewritten: cursor.rows_rewritten + rewritten,
            done,
            updated_at: keys.clock(),
          })
          .where(whereCursor(key))
          .execute();
        return { rewritten, done, prior: cursor.rows_rewritten };
      });
      total += step.rewritten;
      if (step.rewritten > 0 || step.done) {
        await opts.onBatch?.({
          orgId,
          purpose,
          table: col.table,
          column: col.column,
          rewritten: step.rewritten,
          totalRewritten: step.prior + step.rewritten,
          done: step.done,
        });
      }
      if (step.done) break;
    }
    const stale = await keys.inScope(scope, undefined, async (tx) => {
      const active = await keys.active(scope, purpose, tx);
      const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${table}
        where ${staleFilter(col, scope, purpose, active.version)}`.execute(tx);
      const n = Number(rows[0]?.n ?? 0);
      if (n > 0) {
        await tx.updateTable('crypto_reencryption_cursors').set({ last_row_id: null, done: false, updated_at: keys.clock() }).where(whereCursor(key)).execute();
      }
      return n;
    });
    if (stale === 0) return total;
  }
  throw new CryptoError(`${col.table}.${col.column} still has values under old ${purpose} key versions for ${scope} after three passes`);
}
