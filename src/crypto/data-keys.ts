// Per-scope data keys: created on first need, unwrapped through the KMS on a cache miss, cached briefly.
// Every database read happens inside the caller's transaction when one is given (PGlite has a single
// connection, so opening a second transaction from inside one would wait for ever), otherwise in a
// transaction of its own scoped to the organisation, so row-level security applies to key rows too.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg, type Tx } from '../db/tenant.js';
import { CryptoError, KekNotFoundError, KeyDestroyedError, KeyNotFoundError } from './errors.js';
import { ExpiringLru } from './expiring-lru.js';
import { KeyEventBatch, type KeyEventListener } from './key-events.js';
import { SYSTEM_SCOPE, orgIdOf, type KeyPurpose, type Scope } from './key-purpose.js';
import {
  destroyDataKeyRow,
  findActiveDataKey,
  findActiveKek,
  findDataKeyVersion,
  insertDataKey,
  insertKek,
  listDataKeys,
  listKeks,
  setKekStatus,
  type Queryable,
  type WrappedDataKey,
} from './key-store.js';
import type { Kms } from './kms.js';

export interface KeyCacheOptions {
  /** Unwrapped data keys kept in memory (default 5,000). */
  maxEntries?: number;
  /**
   * How long an unwrapped key or the active version number is trusted without asking the database
   * (default 60 s). Bounds how long another process keeps using a key destroyed elsewhere.
   */
  ttlMs?: number;
}

export interface DataKeysOptions {
  db: Db;
  kms: Kms;
  clock: Clock;
  onEvent?: KeyEventListener;
  cache?: KeyCacheOptions;
}

export interface ActiveKey {
  version: number;
  key: KeyObject;
}

export interface DataKeys {
  readonly db: Db;
  readonly kms: Kms;
  readonly clock: Clock;
  readonly onEvent?: KeyEventListener;
  /** The key (and its version) new values of this scope and purpose are written with; created if missing. */
  active(scope: Scope, purpose: KeyPurpose, tx?: Tx): Promise<ActiveKey>;
  /** A specific version, for reading values written under it. */
  version(scope: Scope, purpose: KeyPurpose, version: number, tx?: Tx): Promise<KeyObject>;
  /** Creates the scope's KEK and data key for each purpose if they do not exist yet. */
  ensure(scope: Scope, purposes: readonly KeyPurpose[], tx?: Tx): Promise<void>;
  /** Destroys every key of an organisation: rows wiped, KMS material destroyed, cache dropped. */
  destroyScope(scope: Scope, tx?: Tx): Promise<void>;
  /** Drops cached keys and active versions (of one scope, or all). */
  forget(scope?: Scope): void;
  /** Runs fn in tx when given, else in a transaction scoped to `scope`. */
  inScope<T>(scope: Scope, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export const DEFAULT_KEY_TTL_MS = 60_000;

export function createDataKeys(opts: DataKeysOptions): DataKeys {
  const { db, kms, clock, onEvent } = opts;
  const ttl = opts.cache?.ttlMs ?? DEFAULT_KEY_TTL_MS;
  const now = () => clock().getTime();
  const keys = new ExpiringLru<KeyObject>(opts.cache?.maxEntries ?? 5_000, ttl, now);
  const activeVersions = new ExpiringLru<number>(opts.cache?.maxEntries ?? 5_000, ttl, now);
  const inflight = new Map<string, Promise<KeyObject>>();
  const activeLookups = new Map<string, Promise<ActiveKey>>();
  // Scopes destroyed by this process: refused at once, even if an unwrap started before the destruction.
  const destroyed = new Set<Scope>();

  const keyId = (scope: Scope, purpose: KeyPurpose, version: number) => `${scope}|${purpose}|${version}`;
  const activeId = (scope: Scope, purpose: KeyPurpose) => `${scope}|${purpose}`;

  async function inScope<T>(scope: Scope, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (!tx) return scope === SYSTEM_SCOPE ? withoutOrg(db, fn) : withOrg(db, scope, fn);
    if (scope !== SYSTEM_SCOPE) {
      // Row-level security would only say "no rows" or "policy violation"; name the real mistake instead.
      const { rows } = await sql<{ org: string | null }>`select nullif(current_setting('app.org_id', true), '') as org`.execute(tx);
      if (rows[0]?.org?.toLowerCase() !== scope) {
        throw new CryptoError(
          `a value of organisation ${scope} was used in a transaction scoped to ${rows[0]?.org ?? 'no organisation'}: ` +
            'pass a transaction from withOrg(db, orgId) for the same organisation, or none',
        );
      }
    }
    return fn(tx);
  }

  async function unwrap(scope: Scope, purpose: KeyPurpose, row: WrappedDataKey): Promise<KeyObject> {
    if (row.status === 'destroyed' || row.wrappedKey === null || row.kekStatus === 'destroyed') {
      throw new KeyDestroyedError(scope, purpose, row.version);
    }
    if (row.kekKind !== kms.kind) {
      throw new CryptoError(`the ${purpose} key of ${scope} is held by ${row.kekKind}, but Mowt is configured for ${kms.kind}`);
    }
    let raw: Buffer;
    try {
      raw = await kms.unwrapKey(row.kekRef, row.wrappedKey, { scope, purpose });
    } catch (err) {
      // A KEK missing from the KMS while its row says otherwise: the organisation was crypto-shredded
      // (e.g. a database backup restored after erasure) or the key folder is incomplete.
      if (err instanceof KekNotFoundError) throw new KeyDestroyedError(scope, purpose, row.version, err);
      throw err;
    }
    const key = createSecretKey(raw);
    raw.fill(0);
    return key;
  }

  /** Creates what is missing for (scope, purpose) inside tx; returns the active data key row. */
  async function ensureInTx(tx: Queryable, scope: Scope, purpose: KeyPurpose, events: KeyEventBatch): Promise<WrappedDataKey> {
    const existing = await findActiveDataKey(tx, scope, purpose);
    if (existing) return existing;
    const history = await listDataKeys(tx, scope, purpose);
    if (history.length > 0) {
      // Tombstones only: the organisation's keys were destroyed; never mint fresh keys behind erasure's back.
      if (history.every((k) => k.status === 'destroyed')) throw new KeyDestroyedError(scope, purpose, null);
      throw new CryptoError(`the ${purpose} keys of ${scope} have no active version (inconsistent key table)`);
    }
    let kek = await findActiveKek(tx, scope, purpose);
    if (!kek) {
      const kekHistory = await listKeks(tx, scope, purpose);
      if (kekHistory.length > 0) throw new KeyDestroyedError(scope, purpose, null);
      const ref = await kms.createKek({ scope, purpose, version: 1 });
      kek = await insertKek(tx, { scope, purpose, version: 1, kmsKind: kms.kind, kmsRef: ref, createdAt: clock() });
      if (kek) {
        await events.record(tx, {
          type: 'key.created',
          orgId: orgIdOf(scope),
          purpose,
          version: 1,
          at: clock(),
          detail: { level: 'kek', kms: kms.kind },
        });
      } else {
        // Another process created it first; a CMK we made in vain is scheduled for deletion.
        kek = await findActiveKek(tx, scope, purpose);
        if (!kek) throw new CryptoError(`could not create the ${purpose} key-encryption key of ${scope}`);
        if (kek.kms_ref !== ref) await kms.destroyKek(ref);
      }
    }
    const { plaintext, wrapped } = await kms.generateDataKey(kek.kms_ref, { scope, purpose });
    plaintext.fill(0);
    const inserted = await insertDataKey(tx, { scope, purpose, version: 1, kekId: kek.id, wrappedKey: wrapped, createdAt: clock() });
    if (inserted) {
      await events.record(tx, {
        type: 'key.created',
        orgId: orgIdOf(scope),
        purpose,
        version: 1,
        at: clock(),
        detail: { level: 'data_key', kekVersion: kek.version },
      });
    }
    const row = await findActiveDataKey(tx, scope, purpose);
    if (!row) throw new CryptoError(`could not create the ${purpose} data key of ${scope}`);
    return row;
  }

  function cachedUnwrap(scope: Scope, purpose: KeyPurpose, version: number, load: () => Promise<KeyObject>): Promise<KeyObject> {
    if (destroyed.has(scope)) return Promise.reject(new KeyDestroyedError(scope, purpose, version));
    const id = keyId(scope, purpose, version);
    const hit = keys.get(id);
    if (hit) return Promise.resolve(hit);
    const pending = inflight.get(id);
    if (pending) return pending;
    const p = load()
      .then((key) => {
        if (destroyed.has(scope)) throw new KeyDestroyedError(scope, purpose, version);
        keys.set(id, key);
        return key;
      })
      .finally(() => inflight.delete(id));
    inflight.set(id, p);
    return p;
  }

  const api: DataKeys = {
    db,
    kms,
    clock,
    onEvent,
    inScope,

    async active(scope, purpose, tx) {
      if (destroyed.has(scope)) throw new KeyDestroyedError(scope, purpose, null);
      const known = activeVersions.get(activeId(scope, purpose));
      if (known !== undefined) {
        const hit = keys.get(keyId(scope, purpose, known));
        if (hit) return { version: known, key: hit };
      }
      // Concurrent first uses outside a caller's transaction share one lookup (and one key creation).
      const shareable = tx === undefined;
      const pending = shareable ? activeLookups.get(activeId(scope, purpose)) : undefined;
      if (pending) return pending;
      const lookup = (async () => {
        const events = new KeyEventBatch(onEvent);
        const row = await inScope(scope, tx, (t) => ensureInTx(t, scope, purpose, events));
        const key = await cachedUnwrap(scope, purpose, row.version, () => unwrap(scope, purpose, row));
        activeVersions.set(activeId(scope, purpose), row.version);
        await events.deliver(tx);
        return { version: row.version, key };
      })();
      if (!shareable) return lookup;
      activeLookups.set(activeId(scope, purpose), lookup);
      return lookup.finally(() => activeLookups.delete(activeId(scope, purpose)));
    },

    version(scope, purpose, version, tx) {
      return cachedUnwrap(scope, purpose, version, () =>
        inScope(scope, tx, async (t) => {
          const row = await findDataKeyVersion(t, scope, purpose, version);
          if (!row) {
            const history = await listDataKeys(t, scope, purpose);
            if (history.length > 0 && history.every((k) => k.status === 'destroyed')) throw new KeyDestroyedError(scope, purpose, version);
            throw new KeyNotFoundError(`no ${purpose} data key version ${version} for ${scope === SYSTEM_SCOPE ? 'the system scope' : `organisation ${scope}`}`);
          }
          return unwrap(scope, purpose, row);
        }),
      );
    },

    async ensure(scope, purposes, tx) {
      const events = new KeyEventBatch(onEvent);
      await inScope(scope, tx, async (t) => {
        for (const purpose of purposes) await ensureInTx(t, scope, purpose, events);
      });
      await events.deliver(tx);
    },

    async destroyScope(scope, tx) {
      if (scope === SYSTEM_SCOPE) throw new TypeError('the system keys cannot be destroyed through an organisation erasure');
      const events = new KeyEventBatch(onEvent);
      // Forget first: from this moment no cached copy in this process decrypts anything of this scope.
      destroyed.add(scope);
      api.forget(scope);
      await inScope(scope, tx, async (t) => {
        const at = clock();
        const deks = (await listDataKeys(t, scope)).filter((k) => k.status !== 'destroyed');
        const keks = (await listKeks(t, scope)).filter((k) => k.status !== 'destroyed');
        for (const dek of deks) await destroyDataKeyRow(t, dek.id, at);
        for (const kek of keks) await setKekStatus(t, kek.id, { status: 'destroyed', destroyedAt: at });
        // Nothing is left to re-wrap or re-encrypt for this organisation: close its open rotations.
        await t
          .updateTable('crypto_rotations')
          .set((eb) => ({
            rewrapped_at: eb.fn.coalesce('rewrapped_at', eb.val(at)),
            reencrypted_at: eb.fn.coalesce('reencrypted_at', eb.val(at)),
            finished_at: at,
            old_keys_destroyed_at: at,
          }))
          .where('org_id', '=', scope)
          .where('finished_at', 'is', null)
          .execute();
        await events.record(t, {
          type: 'org_keys.destroyed',
          orgId: scope,
          purpose: null,
          version: null,
          at,
          detail: { dataKeys: deks.length, keks: keks.length, kms: kms.kind },
        });
        // KMS last: if it fails, the transaction rolls back and the erasure can simply be retried.
        for (const kek of keks) await kms.destroyKek(kek.kms_ref);
      }).catch((err: unknown) => {
        destroyed.delete(scope);
        throw err;
      });
      api.forget(scope);
      await events.deliver(tx);
    },

    forget(scope) {
      if (scope === undefined) {
        keys.clear();
        activeVersions.clear();
        return;
      }
      keys.deletePrefix(`${scope}|`);
      activeVersions.deletePrefix(`${scope}|`);
    },
  };
  return api;
}
