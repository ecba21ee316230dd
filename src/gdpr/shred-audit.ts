// Erasure keeps an organisation's audit trail (for the audit retention period) but not the personal data
// in it: the IP address and user agent of every entry are removed. Each entry's hash covers those fields
// (src/audit/chain.ts), so the chain is then re-sealed — every hash recomputed in order — and the head moves.
// That is a rewrite of history, so it is never silent: the caller records both heads, before and after, in
// the system chain (itself tamper-evident), in the same transaction. An auditor holding the old head can see
// exactly when and why it changed; `verify-audit` passes on the re-sealed chain.
import { sql } from 'kysely';
import { rowHash, type AuditChainRow } from '../audit/verify-audit.js';
import { GENESIS_HASH } from '../audit/chain.js';
import type { Tx } from '../db/tenant.js';

const PAGE = 1000;

// The columns the re-seal reads: the chain row without the fields it shreds or recomputes.
type Row = Omit<AuditChainRow, 'ip' | 'user_agent' | 'prev_hash' | 'hash'>;

export interface ShredReport {
  entries: number;
  headBefore: string | null;
  headAfter: string | null;
}

/** Removes ip and user agent from every entry of `orgId`'s chain and re-seals it. Owner transaction only. */
export async function shredAuditChain(tx: Tx, orgId: string): Promise<ShredReport> {
  // Lock the head first (as appenders do), so nothing is appended to this chain while it is re-sealed.
  const head = await sql<{ hash: string }>`select hash from audit_chain_heads where chain_id = ${orgId}::uuid for update`.execute(tx);
  const headBefore = head.rows[0]?.hash ?? null;
  await sql`update audit_log set ip = null, user_agent = null where org_id = ${orgId}::uuid and (ip is not null or user_agent is not null)`.execute(tx);
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let entries = 0;
  for (;;) {
    const { rows } = await sql<Row>`
      select id, org_id, seq, actor_type, actor_id, action, target_type, target_id, occurred_at, result, metadata
        from audit_log where org_id = ${orgId}::uuid and seq > ${lastSeq} order by seq limit ${PAGE}`.execute(tx);
    for (const row of rows) {
      const seq = Number(row.seq);
      // The shredded entry: what the update above left of it.
      const hash = rowHash({ ...row, ip: null, user_agent: null }, prevHash);
      await sql`update audit_log set prev_hash = ${prevHash}, hash = ${hash} where id = ${row.id}::uuid`.execute(tx);
      prevHash = hash;
      lastSeq = seq;
      entries += 1;
    }
    if (rows.length < PAGE) break;
  }
  if (entries > 0) await sql`update audit_chain_heads set hash = ${prevHash} where chain_id = ${orgId}::uuid`.execute(tx);
  return { entries, headBefore, headAfter: entries > 0 ? prevHash : headBefore };
}
