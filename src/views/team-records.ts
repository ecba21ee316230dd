// What saved views and chart annotations have in common: a team-owned row whose content is one encrypted JSON
// document (bound to organisation, table, column and row), a per-organisation cap, and writes audited in the
// same transaction as the change.
import type { AuditMetadata } from '../audit/index.js';
import { appendAudit } from '../audit/index.js';
import type { Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { Actor, ViewsDeps } from './views-deps.js';

export type RecordTable = 'saved_views' | 'chart_annotations';

const place = (table: RecordTable, rowId: string) => ({ table, column: 'content_encrypted', rowId });

export function sealContent(deps: ViewsDeps, orgId: string, table: RecordTable, rowId: string, content: object, tx: Tx): Promise<string> {
  return deps.crypto.encryptField(orgId, place(table, rowId), JSON.stringify(content), tx);
}

export async function openContent<T>(deps: ViewsDeps, orgId: string, table: RecordTable, rowId: string, ciphertext: string, tx: Tx): Promise<T> {
  return JSON.parse(await deps.crypto.decryptField(orgId, place(table, rowId), ciphertext, tx)) as T;
}

/** 409 once the organisation holds `max` rows (checked inside the creating transaction). */
export async function assertRoom(tx: Tx, table: RecordTable, orgId: string, max: number, what: string): Promise<void> {
  const { n } = await tx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  if (Number(n) >= max) throw new HttpProblem(409, `an organisation keeps at most ${max} ${what}; delete some first`);
}

export async function auditWrite(
  tx: Tx,
  orgId: string,
  actor: Actor,
  change: { action: string; target: { type: string; id: string }; at: Date; metadata?: AuditMetadata },
): Promise<void> {
  await appendAudit(tx, {
    orgId,
    actor: { type: 'user', id: actor.userId },
    action: change.action,
    target: change.target,
    ip: actor.ip,
    userAgent: actor.userAgent,
    ...(change.metadata ? { metadata: change.metadata } : {}),
    at: change.at,
  });
}

/** Deletes one row (404 when it is not this organisation's) and audits it, in one transaction. */
export async function deleteAudited(
  tx: Tx,
  orgId: string,
  actor: Actor,
  row: { table: RecordTable; id: string; targetType: string; action: string; missing: string; at: Date },
): Promise<void> {
  const gone = await tx.deleteFrom(row.table).where('id', '=', row.id).returning('id').executeTakeFirst();
  if (!gone) throw new HttpProblem(404, row.missing);
  await auditWrite(tx, orgId, actor, { action: row.action, target: { type: row.targetType, id: row.id }, at: row.at });
}
