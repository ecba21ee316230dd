// The kept (shredded) audit entries of a deleted organisation are removed once the audit retention period
// its deletion recorded has passed. The deletion's own record in the system chain stays: it says the
// organisation existed, was deleted by whom and when — no personal data.
import { sql } from 'kysely';
import { appendAudit } from '../audit/index.js';
import type { Db } from '../db/database.js';
import type { Tx } from '../db/tenant.js';

/** Purges what is due at `now`; returns the organisations whose audit entries were removed. Owner only. */
export async function purgeExpiredAudit(db: Db, now: Date): Promise<string[]> {
  const deletions = await db.owner
    .selectFrom('audit_log')
    .select(['target_id', 'metadata'])
    .where('org_id', 'is', null)
    .where('action', '=', 'org.deleted')
    .where('result', '=', 'success')
    .execute();
  const purged: string[] = [];
  for (const d of deletions) {
    const meta = (typeof d.metadata === 'string' ? JSON.parse(d.metadata) : d.metadata) as { auditPurgeAfter?: string };
    const orgId = d.target_id;
    if (!orgId || !meta.auditPurgeAfter || Date.parse(meta.auditPurgeAfter) > now.getTime()) continue;
    const done = await db.owner.transaction().execute(async (trx) => {
      const tx = trx as Tx;
      const head = await sql<{ seq: string | number; hash: string }>`select seq, hash from audit_chain_heads where chain_id = ${orgId}::uuid for update`.execute(tx);
      const removed = await tx.deleteFrom('audit_log').where('org_id', '=', orgId).executeTakeFirst();
      const entries = Number(removed.numDeletedRows);
      if (entries === 0 && head.rows.length === 0) return false;
      await tx.deleteFrom('audit_chain_heads').where('chain_id', '=', orgId).execute();
      await appendAudit(tx, {
        orgId: null,
        actor: { type: 'system' },
        action: 'org.audit_purged',
        target: { type: 'organisation', id: orgId },
        at: now,
        metadata: { entries, chainHead: head.rows[0]?.hash ?? null, chainLength: Number(head.rows[0]?.seq ?? 0) },
      });
      return true;
    });
    if (done) purged.push(orgId);
  }
  return purged;
}
