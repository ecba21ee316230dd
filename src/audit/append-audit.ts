// Appends one entry to its chain (the organisation's, or the system chain when orgId is null).
//
// Ordering without serialising reads (docs/decisions/030-audit-chain.md): the chain's head row in
// audit_chain_heads is locked by an upsert, the entry is inserted with seq = head + 1 and
// prev_hash = head hash, and the head moves on. Only appends to the same chain wait for each other, and only
// while the appending transaction is open — so appendAudit should be the last statement of a transaction.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { withOrg, withoutOrg, type Tx } from '../db/tenant.js';
import type { AuditActorType, AuditMetadata, AuditResult } from './audit-log.table.js';
import { chainIdOf, entryHash, GENESIS_HASH, type HashedEntry } from './chain.js';

export interface AuditActor {
  type: AuditActorType;
  /** User id, API-token id, staff id; null for 'system'. */
  id?: string | null;
}

export interface AuditEntry {
  /** The organisation whose chain records it; null = the system chain. */
  orgId: string | null;
  actor: AuditActor;
  /** Dotted verb, e.g. 'member.role_changed', 'auth.login', 'read.customer'. */
  action: string;
  target?: { type: string; id: string | null } | null;
  result?: AuditResult;
  ip?: string | null;
  userAgent?: string | null;
  /** Ids, counts, old/new roles — never secrets or plaintext personal data (no addresses, names, tokens). */
  metadata?: AuditMetadata;
  /** Defaults to now; pass the injected clock's time where there is one. */
  at?: Date;
}

export interface AppendedAudit {
  id: string;
  seq: number;
  hash: string;
}

const MAX_TEXT = 500;
// Keys that would mean a secret is about to be written into a log nobody can ever edit.
const FORBIDDEN_KEY = /password|secret|plaintext/i;

function clip(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value;
}

function assertSafeMetadata(value: unknown, path = 'metadata'): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertSafeMetadata(v, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEY.test(k)) throw new TypeError(`audit ${path}.${k}: secrets never go into the audit log`);
    assertSafeMetadata(v, `${path}.${k}`);
  }
}

function isDb(target: Tx | Db): target is Db {
  return typeof (target as Db).app === 'object' && typeof (target as Db).kind === 'string';
}

/** Locks the chain's head row (creating it for a new chain) and returns it. Held until the transaction ends. */
export async function lockChainHead(tx: Tx, chainId: string): Promise<{ seq: number; hash: string }> {
  const { rows } = await sql<{ seq: string | number; hash: string }>`
    insert into audit_chain_heads (chain_id, seq, hash) values (${chainId}, 0, ${GENESIS_HASH})
    on conflict (chain_id) do update set seq = audit_chain_heads.seq
    returning seq, hash`.execute(tx);
  const head = rows[0];
  if (!head) throw new Error('audit chain head could not be locked');
  return { seq: Number(head.seq), hash: head.hash };
}

function toHashed(entry: AuditEntry, seq: number, prevHash: string): HashedEntry {
  const metadata = entry.metadata ?? {};
  return {
    orgId: entry.orgId,
    seq,
    actorType: entry.actor.type,
    actorId: entry.actor.id ?? null,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    // Stored with millisecond precision so the hash recomputed from the row matches.
    occurredAt: new Date(Math.floor((entry.at ?? new Date()).getTime())),
    ip: clip(entry.ip),
    userAgent: clip(entry.userAgent),
    result: entry.result ?? 'success',
    metadata,
    prevHash,
  };
}

/** Queued entry: `dedupe` skips it when the same actor already has this action on this target since then. */
interface Pending {
  entry: AuditEntry;
  dedupeSince?: Date;
}

/**
 * Appends entries of ONE chain inside tx: one head lock, one multi-row insert, one head update, whatever the
 * count. Returns, per entry, what was written (null for an entry skipped as a duplicate).
 */
async function appendManyInTx(tx: Tx, chainId: string, pending: Pending[]): Promise<(AppendedAudit | null)[]> {
  for (const p of pending) assertSafeMetadata(p.entry.metadata ?? {});
  const head = await lockChainHead(tx, chainId);
  let seq = head.seq;
  let prevHash = head.hash;
  const rows = [];
  const out: (AppendedAudit | null)[] = [];
  const seenInBatch = new Set<string>();
  for (const p of pending) {
    if (p.dedupeSince) {
      const key = `${p.entry.actor.id ?? ''}\0${p.entry.action}\0${p.entry.target?.id ?? ''}`;
      if (seenInBatch.has(key) || (await recentlyRecorded(tx, p.entry, p.dedupeSince))) {
        out.push(null);
        continue;
      }
      seenInBatch.add(key);
    }
    seq += 1;
    const hashed = toHashed(p.entry, seq, prevHash);
    const hash = entryHash(hashed);
    // The id is made here, not returned by the insert: RETURNING needs read access, and system-chain
    // entries are write-only for the app role.
    const id = crypto.randomUUID();
    rows.push({
      id,
      org_id: hashed.orgId,
      seq: hashed.seq,
      actor_type: hashed.actorType,
      actor_id: hashed.actorId,
      action: hashed.action,
      target_type: hashed.targetType,
      target_id: hashed.targetId,
      occurred_at: hashed.occurredAt,
      ip: hashed.ip,
      user_agent: hashed.userAgent,
      result: hashed.result,
      metadata: JSON.stringify(hashed.metadata),
      prev_hash: hashed.prevHash,
      hash,
    });
    out.push({ id, seq, hash });
    prevHash = hash;
  }
  if (rows.length > 0) {
    await tx.insertInto('audit_log').values(rows).execute();
    await tx.updateTable('audit_chain_heads').set({ seq, hash: prevHash }).where('chain_id', '=', chainId).execute();
  }
  return out;
}

async function recentlyRecorded(tx: Tx, entry: AuditEntry, since: Date): Promise<boolean> {
  let q = tx.selectFrom('audit_log').select('id').where('occurred_at', '>=', since).where('action', '=', entry.action);
  q = entry.orgId === null ? q.where('org_id', 'is', null) : q.where('org_id', '=', entry.orgId);
  q = entry.actor.id ? q.where('actor_id', '=', entry.actor.id) : q.where('actor_id', 'is', null);
  q = entry.target?.id ? q.where('target_id', '=', entry.target.id) : q.where('target_id', 'is', null);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

// Group commit for appends that are not part of a caller's transaction. Entries for one chain queue up
// while that chain's previous batch is being written; the next batch then goes in one transaction (one
// lock, one insert, one commit). So a busy organisation costs one connection and one fsync per batch, not
// one per entry — appends never pile up holding pool connections while they wait for the chain lock, and
// the organisation's reads keep their connections. Callers still await durability of their own entry.
const MAX_BATCH = 500;

interface ChainQueue {
  items: { pending: Pending; resolve: (r: AppendedAudit | null) => void; reject: (e: unknown) => void }[];
  busy: boolean;
}

const writers = new WeakMap<Db, Map<string, ChainQueue>>();

function enqueue(db: Db, pending: Pending): Promise<AppendedAudit | null> {
  let chains = writers.get(db);
  if (!chains) {
    chains = new Map();
    writers.set(db, chains);
  }
  const chainId = chainIdOf(pending.entry.orgId);
  let queue = chains.get(chainId);
  if (!queue) {
    queue = { items: [], busy: false };
    chains.set(chainId, queue);
  }
  const q = queue;
  const map = chains;
  return new Promise((resolve, reject) => {
    q.items.push({ pending, resolve, reject });
    if (!q.busy) void drain(db, map, chainId, q);
  });
}

async function drain(db: Db, chains: Map<string, ChainQueue>, chainId: string, queue: ChainQueue): Promise<void> {
  queue.busy = true;
  // Let the entries of the current tick join the first batch.
  await new Promise<void>((resolve) => setImmediate(resolve));
  while (queue.items.length > 0) {
    const batch = queue.items.splice(0, MAX_BATCH);
    const orgId = batch[0]?.pending.entry.orgId ?? null;
    const write = (tx: Tx) => appendManyInTx(tx, chainId, batch.map((b) => b.pending));
    try {
      const results = orgId === null ? await withoutOrg(db, write) : await withOrg(db, orgId, write);
      batch.forEach((b, i) => b.resolve(results[i] ?? null));
    } catch (err) {
      // One bad entry (e.g. a refused metadata key) must not sink its neighbours: retry them one by one.
      if (batch.length === 1) batch[0]?.reject(err);
      else {
        for (const b of batch) {
          try {
            const [r] = orgId === null ? await withoutOrg(db, (tx) => appendManyInTx(tx, chainId, [b.pending])) : await withOrg(db, orgId, (tx) => appendManyInTx(tx, chainId, [b.pending]));
            b.resolve(r ?? null);
          } catch (e) {
            b.reject(e);
          }
        }
      }
    }
  }
  queue.busy = false;
  chains.delete(chainId);
}

/**
 * Appends an audit entry.
 * - Given a transaction (scoped to the entry's organisation, or to none for the system chain), the entry
 *   commits or rolls back with the change it records. The chain's head stays locked until that transaction
 *   ends, so keep it for rare, state-changing operations and make it the last statement.
 * - Given the Db, it is group-committed with other entries of its chain in a short transaction of its own
 *   and resolves once durable. Use this for reads, denials and failures (whose own transaction may roll back).
 */
export async function appendAudit(target: Tx | Db, entry: AuditEntry): Promise<AppendedAudit> {
  assertSafeMetadata(entry.metadata ?? {});
  if (!isDb(target)) {
    const [r] = await appendManyInTx(target, chainIdOf(entry.orgId), [{ entry }]);
    if (!r) throw new Error('audit entry was not written');
    return r;
  }
  const r = await enqueue(target, { entry });
  if (!r) throw new Error('audit entry was not written');
  return r;
}

/**
 * Appends unless the same actor already has the same action on the same target since `since` (page views:
 * once per user, page and minute). Checked under the chain lock, so concurrent duplicates record once.
 * Returns null when skipped.
 */
export async function appendAuditOnce(db: Db, entry: AuditEntry, since: Date): Promise<AppendedAudit | null> {
  assertSafeMetadata(entry.metadata ?? {});
  return enqueue(db, { entry, dedupeSince: since });
}
