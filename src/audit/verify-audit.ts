// Walks every audit chain (or one organisation's) from its first entry and recomputes each hash. Runs on the
// owner connection: it must see every organisation's entries and the system chain, which the app role
// cannot. The first entry whose sequence, link or hash does not match is named, per chain.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuditMetadata } from './audit-log.table.js';
import { chainIdOf, entryHash, GENESIS_HASH, SYSTEM_CHAIN_ID } from './chain.js';

export interface BrokenEntry {
  chainId: string;
  orgId: string | null;
  /** The seq the verifier expected next (the broken position in the chain). */
  seq: number;
  /** Storage id of the offending row; null when the chain simply stops short of its recorded head. */
  entryId: string | null;
  reason: string;
}

export interface VerifyReport {
  chains: number;
  entries: number;
  broken: BrokenEntry[];
}

export class AuditVerifierPrivilegeError extends Error {
  override name = 'AuditVerifierPrivilegeError';
}

const PAGE = 1000;

/** One audit_log row as the chain code reads it (also used by the erasure re-seal in src/gdpr). */
export interface AuditChainRow {
  id: string;
  org_id: string | null;
  seq: string | number;
  actor_type: 'user' | 'staff' | 'system' | 'token';
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  occurred_at: Date;
  ip: string | null;
  user_agent: string | null;
  result: 'success' | 'failure' | 'denied';
  metadata: AuditMetadata | string;
  prev_hash: string;
  hash: string;
}

/** The hash a stored row must carry when it follows `prevHash`: the chain's one encoding (chain.ts) of its columns. */
export function rowHash(row: Omit<AuditChainRow, 'prev_hash' | 'hash'>, prevHash: string): string {
  return entryHash({
    orgId: row.org_id,
    seq: Number(row.seq),
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    occurredAt: new Date(row.occurred_at),
    ip: row.ip,
    userAgent: row.user_agent,
    result: row.result,
    metadata: typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as AuditMetadata) : row.metadata,
    prevHash,
  });
}

async function verifyChain(db: Db, chainId: string): Promise<{ entries: number; broken: BrokenEntry | null }> {
  const orgId = chainId === SYSTEM_CHAIN_ID ? null : chainId;
  const chainKey = sql`coalesce(org_id, ${SYSTEM_CHAIN_ID}::uuid)`;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  const brokenAt = (entryId: string | null, reason: string): BrokenEntry => ({ chainId, orgId, seq: expectedSeq, entryId, reason });
  for (;;) {
    const { rows } = await sql<AuditChainRow>`
      select id, org_id, seq, actor_type, actor_id, action, target_type, target_id, occurred_at, ip, user_agent,
             result, metadata, prev_hash, hash
      from audit_log where ${chainKey} = ${chainId}::uuid and seq >= ${expectedSeq}
      order by seq limit ${PAGE}`.execute(db.owner);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { entries, broken: brokenAt(row.id, `entry ${expectedSeq} is missing (found ${seq} next)`) };
      if (row.prev_hash !== prevHash) return { entries, broken: brokenAt(row.id, 'prev_hash does not match the hash of the entry before it') };
      const recomputed = rowHash(row, row.prev_hash);
      if (recomputed !== row.hash) return { entries, broken: brokenAt(row.id, 'content does not match its hash (entry altered)') };
      prevHash = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
    if (rows.length < PAGE) break;
  }
  // Entries cut off the end leave the chain shorter than its recorded head.
  const head = await sql<{ seq: string | number; hash: string }>`
    select seq, hash from audit_chain_heads where chain_id = ${chainId}::uuid`.execute(db.owner);
  const h = head.rows[0];
  if (h && (Number(h.seq) !== expectedSeq - 1 || h.hash !== prevHash)) {
    return { entries, broken: brokenAt(null, `chain ends at entry ${expectedSeq - 1} but its head records entry ${Number(h.seq)}`) };
  }
  return { entries, broken: null };
}

/** Verifies every chain, or only `orgId`'s. Throws AuditVerifierPrivilegeError when RLS would hide rows. */
export async function verifyAudit(db: Db, opts: { orgId?: string } = {}): Promise<VerifyReport> {
  // Row-Level Security is forced on audit_log, for the owner too: a role that neither is superuser nor
  // bypasses RLS would see no rows and report every chain intact. Refuse rather than pass falsely.
  const who = await sql<{ ok: boolean }>`
    select (rolsuper or rolbypassrls) as ok from pg_roles where rolname = current_user`.execute(db.owner);
  if (!who.rows[0]?.ok) {
    throw new AuditVerifierPrivilegeError('verify-audit needs a database role that bypasses row-level security (superuser or BYPASSRLS)');
  }
  let chainIds: string[];
  if (opts.orgId) {
    chainIds = [chainIdOf(opts.orgId)];
  } else {
    const { rows } = await sql<{ chain_id: string }>`
      select chain_id from audit_chain_heads
      union select distinct coalesce(org_id, ${SYSTEM_CHAIN_ID}::uuid) from audit_log
      order by 1`.execute(db.owner);
    chainIds = rows.map((r) => r.chain_id);
  }
  const report: VerifyReport = { chains: 0, entries: 0, broken: [] };
  for (const chainId of chainIds) {
    const result = await verifyChain(db, chainId);
    report.chains += 1;
    report.entries += result.entries;
    if (result.broken) report.broken.push(result.broken);
  }
  return report;
}
