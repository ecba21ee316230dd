// Deleting an organisation (right to erasure), in one transaction on the owner connection:
//
//   1. the organisation row is locked and the typed confirmation checked against its name;
//   2. its keys are destroyed (crypto.destroyOrgKey): the KMS deletes the key-encryption keys, which live
//      outside the database — so every encrypted value of the organisation, in this database AND in every
//      backup ever taken, can no longer be read (crypto-shredding);
//   3. its rows go: memberships (so every member's next request to it answers 404), then the organisation
//      (foreign keys cascade), then any table with org_id that has no cascade;
//   4. its audit entries stay, for AUDIT_RETENTION_DAYS, with IP addresses and user agents removed and the
//      chain re-sealed (shred-audit.ts);
//   5. the system chain records the deletion: who, when, what was removed, the audit chain's heads before
//      and after, and when the kept audit entries will be purged.
// The KMS call is the last statement before commit: if it fails, nothing has changed and it can be retried.
// Runs as the owner because it removes audit personal data the app role may never alter; on PostgreSQL the
// owner login must bypass row-level security (as backups require).
import { sql } from 'kysely';
import { appendAudit, type RequestContext } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/database.js';
import type { Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { shredAuditChain } from './shred-audit.js';
import { listTenantTables } from './tenant-tables.js';

/** How long the (shredded) audit entries of a deleted organisation are kept before they are purged. */
export const AUDIT_RETENTION_DAYS = 365;

// Kept on purpose: the audit trail (shredded) and the key rows, which now say "destroyed" and carry no
// key material — they are what makes a restored old backup answer KeyDestroyedError instead of guessing.
const KEPT_TABLES = new Set(['audit_log', 'crypto_keks', 'crypto_data_keys', 'crypto_key_events']);

export interface DeleteOrgDeps {
  db: Db;
  crypto: FieldCrypto;
  clock: Clock;
}

export interface DeleteOrgInput {
  orgId: string;
  /** The Admin deleting it; null for an operator command. */
  actorId: string | null;
  /** Must equal the organisation's name (the type-the-name confirmation). */
  confirmName: string;
  context?: RequestContext;
}

export interface DeletionReport {
  orgId: string;
  deletedAt: Date;
  rowsDeleted: Record<string, number>;
  auditEntriesKept: number;
  auditPurgeAfter: Date;
}

export async function deleteOrganisation(deps: DeleteOrgDeps, input: DeleteOrgInput): Promise<DeletionReport> {
  const { orgId } = input;
  const at = deps.clock();
  const auditPurgeAfter = new Date(at.getTime() + AUDIT_RETENTION_DAYS * 86_400_000);
  const ip = input.context?.ip ?? null;
  const userAgent = input.context?.userAgent ?? null;
  const actor = input.actorId ? { type: 'user' as const, id: input.actorId } : { type: 'system' as const };
  return deps.db.owner.transaction().execute(async (trx) => {
    const tx = trx as Tx;
    // Scope the transaction to the organisation too: the crypto layer checks it, and so would RLS.
    await sql`select set_config('app.org_id', ${orgId}, true)`.execute(tx);
    const org = await tx.selectFrom('organisations').select(['id', 'name']).where('id', '=', orgId).forUpdate().executeTakeFirst();
    if (!org) throw new HttpProblem(404, 'organisation not found');
    if (input.confirmName.trim() !== org.name) {
      throw new HttpProblem(422, 'type the organisation’s exact name to confirm its deletion', { code: 'confirmation_mismatch' });
    }

    // The organisation's own chain ends with its deletion (its ip/user agent are shredded with the rest).
    await appendAudit(tx, { orgId, actor, action: 'org.deleted', target: { type: 'organisation', id: orgId }, ip, userAgent, at });

    const rowsDeleted: Record<string, number> = {};
    const count = async (table: string) => {
      const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)} where org_id = ${orgId}::uuid`.execute(tx);
      return Number(rows[0]?.n ?? 0);
    };
    const tables = (await listTenantTables(tx)).map((t) => t.table).filter((t) => !KEPT_TABLES.has(t));
    for (const t of tables) rowsDeleted[t] = await count(t);
    rowsDeleted.organisations = 1;

    // Access ends with the membership rows: the permission hook reads them on every request.
    await tx.deleteFrom('memberships').where('org_id', '=', orgId).execute();
    await tx.deleteFrom('organisations').where('id', '=', orgId).execute();
    // Tables whose org_id has no cascading foreign key (bookkeeping, a slice's table without one).
    for (const t of tables) await sql`delete from ${sql.table(t)} where org_id = ${orgId}::uuid`.execute(tx);

    const shredded = await shredAuditChain(tx, orgId);
    await appendAudit(tx, {
      orgId: null,
      actor,
      action: 'org.deleted',
      target: { type: 'organisation', id: orgId },
      ip,
      userAgent,
      at,
      metadata: {
        rowsDeleted: Object.values(rowsDeleted).reduce((a, b) => a + b, 0),
        tables: Object.keys(rowsDeleted).length,
        auditEntriesKept: shredded.entries,
        auditChainHeadBefore: shredded.headBefore,
        auditChainHeadAfter: shredded.headAfter,
        auditPurgeAfter: auditPurgeAfter.toISOString(),
        keysDestroyed: true,
      },
    });
    // Last: the KMS destroys the key-encryption keys. If it fails, the transaction rolls back whole.
    await deps.crypto.destroyOrgKey(orgId, tx);
    return { orgId, deletedAt: at, rowsDeleted, auditEntriesKept: shredded.entries, auditPurgeAfter };
  });
}
