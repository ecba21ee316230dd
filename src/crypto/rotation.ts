// Key rotation every 90 days, online. `rotateKeys` runs the whole cycle and is safe to run again at any
// time — every step works from what the database says is unfinished — so a crash anywhere is repaired by
// the next run:
//   1. start: for each scope+purpose whose active KEK is ≥ 90 days old (or all, with force): new KEK and
//      data-key versions become active; the old ones turn "retiring"      (start-rotation.ts)
//   2. re-wrap every data key still wrapped by a retiring KEK; the KEK then turns "retired" and is kept one
//      year for backups                                                   (rewrap-data-keys.ts)
//   3. re-encrypt values under retiring data keys in every declared column; those keys then turn
//      "retired"                                                          (reencrypt-columns.ts)
//   4. destroy key versions retired more than a year ago                 (destroy-expired-keys.ts)
import crypto from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { withoutOrg } from '../db/tenant.js';
import { allEncryptedColumns, encryptedColumns, type EncryptedColumnRegistry } from './column-registry.js';
import { DEFAULT_KEY_TTL_MS } from './data-keys.js';
import { destroyExpiredKeys, type SuspectColumn } from './destroy-expired-keys.js';
import { KeyDestroyedError, RotationBusyError } from './errors.js';
import type { FieldCrypto } from './field-crypto.js';
import { KeyEventBatch } from './key-events.js';
import { SYSTEM_SCOPE, orgIdOf, type FieldPurpose } from './key-purpose.js';
import { listDataKeys, listKeyScopes, setDataKeyStatus } from './key-store.js';
import { reencryptColumn } from './reencrypt-columns.js';
import { rewrapRetiringKeks } from './rewrap-data-keys.js';
import { acquireRotationLease, releaseRotationLease, renewRotationLease } from './rotation-lease.js';
import { startRotation, type StartedRotation } from './start-rotation.js';

export const ROTATION_PERIOD_DAYS = 90;
export const BACKUP_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;

export interface RotationProgress {
  phase: 'rotate' | 'rewrap' | 'wait' | 'reencrypt' | 'retire' | 'destroy' | 'warning';
  /** One human-readable line (the CLI prints it). */
  message: string;
  orgId?: string | null;
  purpose?: string;
  rows?: number;
}

export interface RotationOptions {
  crypto: FieldCrypto;
  /** Encrypted columns declared in code, on top of those declared by migrations (default: the shared registry). */
  registry?: EncryptedColumnRegistry;
  clock?: Clock;
  /** Rotate every scope now, whatever the age of its keys. */
  force?: boolean;
  rotationPeriodDays?: number;
  retentionDays?: number;
  /** Rows (or data keys) per transaction. */
  batchSize?: number;
  /**
   * How long after a new data-key version appears before re-encryption starts: other processes cache the
   * active version for up to their key TTL and may write under the old version until then.
   */
  graceMs?: number;
  onProgress?: (p: RotationProgress) => void | Promise<void>;
  /** Who holds the lease (host:pid by default). */
  holder?: string;
}

export interface RotationReport {
  skipped?: 'busy';
  started: StartedRotation[];
  rewrappedDataKeys: number;
  retiredKeks: number;
  reencryptedValues: number;
  retiredDataKeys: number;
  destroyedKeks: number;
  destroyedDataKeys: number;
  /** Columns named like encrypted ones (…encrypted…) that no migration declared: rotation cannot reach them. */
  undeclaredColumns: string[];
  durationMs: number;
}

const emptyReport = (): RotationReport => ({
  started: [], rewrappedDataKeys: 0, retiredKeks: 0, reencryptedValues: 0, retiredDataKeys: 0, destroyedKeks: 0, destroyedDataKeys: 0,
  undeclaredColumns: [], durationMs: 0,
});

const LEASE_TTL_MS = 10 * 60_000;

/** Text columns of the app's schema named …encrypted… that nobody declared (a missed declaration, usually). */
async function undeclaredEncryptedColumns(tx: Kysely<Database>, declared: { table: string; column: string }[]): Promise<SuspectColumn[]> {
  const known = new Set(declared.map((c) => `${c.table}.${c.column}`));
  const { rows } = await sql<{ table: string; column: string; rls: boolean }>`
    select c.table_name as table, c.column_name as column, coalesce(k.relrowsecurity, false) as rls
    from information_schema.columns c
    left join pg_class k on k.relname = c.table_name and k.relnamespace = to_regnamespace(current_schema())
    where c.table_schema = current_schema() and c.column_name like '%encrypted%' and c.data_type = 'text'
    order by 1, 2`.execute(tx);
  return rows.filter((r) => !known.has(`${r.table}.${r.column}`));
}

const who = (orgId: string | null) => (orgId === null ? 'system' : `org ${orgId}`);

export async function rotateKeys(opts: RotationOptions): Promise<RotationReport> {
  const t0 = performance.now();
  const { crypto: fc } = opts;
  const keys = fc.keys;
  const db = keys.db;
  const clock = opts.clock ?? keys.clock;
  const registry = opts.registry ?? encryptedColumns;
  const periodMs = (opts.rotationPeriodDays ?? ROTATION_PERIOD_DAYS) * DAY_MS;
  const retentionMs = (opts.retentionDays ?? BACKUP_RETENTION_DAYS) * DAY_MS;
  const batchSize = opts.batchSize ?? 500;
  // Each re-encrypted row costs three bound parameters in one UPDATE; PostgreSQL allows 65,535.
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new RangeError('batchSize must be 1–10,000');
  const graceMs = opts.graceMs ?? DEFAULT_KEY_TTL_MS + 5_000;
  const holder = opts.holder ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const progress = async (p: RotationProgress) => {
    await renewRotationLease(db, holder, clock(), LEASE_TTL_MS);
    await opts.onProgress?.(p);
  };

  if (!(await acquireRotationLease(db, holder, clock(), LEASE_TTL_MS))) {
    throw new RotationBusyError('key rotation is already running in another process');
  }
  const events = new KeyEventBatch(keys.onEvent);
  const report = emptyReport();
  try {
    // 1. start rotations that are due
    const now = clock();
    const scopes = await withoutOrg(db, (tx) => listKeyScopes(tx));
    for (const s of scopes) {
      if (s.destroyed || s.activeCreatedAt === null) continue;
      const due = now.getTime() - s.activeCreatedAt.getTime() >= periodMs;
      if (!due && !opts.force) continue;
      const started = await startRotation(keys, s.scope, s.purpose, due ? 'due' : 'forced', events);
      await events.deliver();
      if (!started) continue;
      report.started.push(started);
      await progress({
        phase: 'rotate',
        orgId: started.orgId,
        purpose: started.purpose,
        message: `${who(started.orgId)} ${started.purpose}: key-encryption key v${started.kekFrom} → v${started.kekTo}` +
          (started.dekTo === null ? '' : `, data key v${started.dekFrom} → v${started.dekTo}`),
      });
    }

    // 2. re-wrap data keys off retiring KEKs
    const rewrap = await rewrapRetiringKeks(
      keys,
      {
        batchSize,
        retentionMs,
        onBatch: (b) =>
          b.rewrapped > 0
            ? progress({ phase: 'rewrap', orgId: b.orgId, purpose: b.purpose, rows: b.rewrapped, message: `${who(b.orgId)} ${b.purpose}: re-wrapped ${b.rewrapped} data key(s) off KEK v${b.kekVersion}` })
            : undefined,
      },
      events,
    );
    await events.deliver();
    report.rewrappedDataKeys = rewrap.rewrapped;
    report.retiredKeks = rewrap.retiredKeks;

    // 3. re-encrypt values under retiring data keys
    const pending = await withoutOrg(db, (tx) =>
      tx.selectFrom('crypto_rotations').selectAll().where('reencrypted_at', 'is', null).where('dek_version_to', 'is not', null).orderBy('id').execute(),
    );
    const declared = await withoutOrg(db, (tx) => allEncryptedColumns(tx, registry));
    const suspects = await withoutOrg(db, (tx) => undeclaredEncryptedColumns(tx, declared));
    report.undeclaredColumns = suspects.map((c) => `${c.table}.${c.column}`);
    for (const name of report.undeclaredColumns) {
      await progress({
        phase: 'warning',
        message: `warning: ${name} looks encrypted but is not declared (declareEncryptedColumns): its values keep old key versions, which are then never destroyed`,
      });
    }
    for (const rot of pending) {
      const scope = rot.org_id ?? SYSTEM_SCOPE;
      const purpose = rot.purpose as FieldPurpose;
      const wait = rot.started_at.getTime() + graceMs - clock().getTime();
      if (wait > 0) {
        await progress({ phase: 'wait', message: `waiting ${Math.ceil(wait / 1000)} s for running processes to switch to the new data key` });
        await sleepMs(wait);
      }
      const columns = declared.filter((c) => c.purpose === purpose && (c.orgColumn === null) === (scope === SYSTEM_SCOPE));
      let rows = 0;
      let erased = false;
      for (const col of columns) {
        const rewritten = await reencryptColumn(fc, col, scope, purpose, rot.dek_version_to!, {
          batchSize,
          onBatch: (b) =>
            progress({
              phase: 'reencrypt',
              orgId: b.orgId,
              purpose: b.purpose,
              rows: b.rewritten,
              message: `${who(b.orgId)} ${b.table}.${b.column}: re-encrypted ${b.totalRewritten} value(s)${b.done ? ' — done' : ''}`,
            }),
        }).catch((err: unknown) => {
          // Erased while we worked: destroyOrgKey has closed this rotation; nothing is left to re-encrypt.
          if (err instanceof KeyDestroyedError && scope !== SYSTEM_SCOPE) return null;
          throw err;
        });
        if (rewritten === null) {
          erased = true;
          break;
        }
        rows += rewritten;
      }
      if (erased) {
        await progress({ phase: 'retire', orgId: rot.org_id, purpose, message: `${who(rot.org_id)} ${purpose}: keys destroyed (erasure) — skipped` });
        continue;
      }
      const retired = await keys.inScope(scope, undefined, async (tx) => {
        const at = clock();
        const old = (await listDataKeys(tx, scope, purpose)).filter((k) => k.status === 'retiring' && k.version < rot.dek_version_to!);
        for (const dk of old) {
          await setDataKeyStatus(tx, dk.id, { status: 'retired', retiredAt: at });
          await events.record(tx, { type: 'data_key.retired', orgId: orgIdOf(scope), purpose, version: dk.version, at, detail: {} });
        }
        await events.record(tx, {
          type: 'reencryption.completed',
          orgId: orgIdOf(scope),
          purpose,
          version: rot.dek_version_to,
          at,
          detail: { rows, columns: columns.length },
        });
        await tx
          .updateTable('crypto_rotations')
          .set((eb) => ({ reencrypted_at: at, rows_reencrypted: eb('rows_reencrypted', '+', rows) }))
          .where('id', '=', rot.id)
          .execute();
        return old.length;
      });
      await events.deliver();
      report.reencryptedValues += rows;
      report.retiredDataKeys += retired;
      await progress({ phase: 'retire', orgId: rot.org_id, purpose, message: `${who(rot.org_id)} ${purpose}: ${rows} value(s) re-encrypted, ${retired} old data key version(s) retired` });
    }
    await withoutOrg(db, (tx) =>
      tx
        .updateTable('crypto_rotations')
        .set({ finished_at: clock() })
        .where('finished_at', 'is', null)
        .where('rewrapped_at', 'is not', null)
        .where((eb) => eb.or([eb('reencrypted_at', 'is not', null), eb('dek_version_to', 'is', null)]))
        .execute(),
    );

    // 4. destroy what has outlived the retention window
    const destroyed = await destroyExpiredKeys(keys, retentionMs, events, { declared, suspects });
    await events.deliver();
    report.destroyedKeks = destroyed.destroyedKeks;
    report.destroyedDataKeys = destroyed.destroyedDataKeys;
    for (const held of destroyed.kept) {
      await progress({ phase: 'warning', orgId: held.orgId, purpose: held.purpose, message: `warning: ${who(held.orgId)} ${held.purpose} data key v${held.version} is past retention but still used by ${held.columns.join(', ')}: kept` });
    }
    if (destroyed.destroyedKeks + destroyed.destroyedDataKeys > 0) {
      await progress({
        phase: 'destroy',
        message: `destroyed ${destroyed.destroyedKeks} key-encryption key version(s) and ${destroyed.destroyedDataKeys} data key version(s) past the ${Math.round(retentionMs / DAY_MS)}-day retention`,
      });
    }
  } finally {
    await releaseRotationLease(db, holder);
  }
  report.durationMs = Math.round(performance.now() - t0);
  return report;
}

/**
 * The scheduled check (daily): rotates whatever is due, finishes interrupted work, destroys what has
 * expired. Another process already rotating is not an error here: the run is skipped.
 */
export async function runRotationIfDue(opts: Omit<RotationOptions, 'force'>): Promise<RotationReport> {
  try {
    return await rotateKeys({ ...opts, force: false });
  } catch (err) {
    if (err instanceof RotationBusyError) {
      return { ...emptyReport(), skipped: 'busy' };
    }
    throw err;
  }
}
