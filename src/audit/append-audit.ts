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

async function appendInTx(tx: Tx, entry: AuditEntry): Promise<AppendedAudit> {
  const metadata = entry.metadata ?? {};
  assertSafeMetadata(metadata);
  const chainId = chainIdOf(entry.orgId);
  const head = await lockChainHead(tx, chainId);
  const hashed: HashedEntry = {
    orgId: entry.orgId,
    seq: head.seq + 1,
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
    prevHash: head.hash,
  };
  const hash = entryHash(hashed);
  // The id is made here, not returned by the insert: RETURNING needs read access, and system-chain
  // entries are write-only for the app role.
  const id = crypto.randomUUID();
  await tx
    .insertInto('audit_log')
    .values({
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
      metadata: JSON.stringify(metadata),
      prev_hash: hashed.prevHash,
      hash,
    })
    .execute();
  await tx.updateTable('audit_chain_heads').set({ seq: hashed.seq, hash }).where('chain_id', '=', chainId).execute();
  return { id, seq: hashed.seq, hash };
}

/**
 * Appends an audit entry. Given a transaction, the entry commits (or rolls back) with the change it
 * records, and the transaction must be scoped to the entry's organisation (RLS refuses anything else).
 * Given the Db, it is written in a short transaction of its own — use that for denials and failures, whose
 * own transaction is about to roll back.
 */
export async function appendAudit(target: Tx | Db, entry: AuditEntry): Promise<AppendedAudit> {
  if (!isDb(target)) return appendInTx(target, entry);
  const orgId = entry.orgId;
  return orgId === null ? withoutOrg(target, (tx) => appendInTx(tx, entry)) : withOrg(target, orgId, (tx) => appendInTx(tx, entry));
}
