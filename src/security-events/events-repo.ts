// Security-event storage: one organisation's events (tenant table, inside withOrg) and Mowt's on-call events.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db/tenant.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { SecurityEventView } from './security-events-schemas.js';
import type { SecurityEventRow, Severity } from './security-tables.table.js';

export interface NewSecurityEvent {
  orgId: string;
  rule: string;
  severity: Severity;
  at: Date;
  subject?: { type: string; id: string } | null;
  /** Counts and kinds only: it is shown as is and written into the audit log. */
  summary: string;
  /** Addresses, user agents, countries: encrypted under the organisation's key. */
  details?: Record<string, string | number | boolean | null>;
  dedupeKey: string;
}

export const detailsField = (id: string) => ({ table: 'security_events', column: 'details_encrypted', rowId: id });

/** Inserts the event unless its dedupe key was already used; returns the new id, or null for a duplicate. */
export async function insertSecurityEvent(tx: Tx, crypto: FieldCrypto, e: NewSecurityEvent): Promise<string | null> {
  const id = randomUUID();
  const details = e.details && Object.keys(e.details).length > 0 ? await crypto.encryptField(e.orgId, detailsField(id), JSON.stringify(e.details), tx) : null;
  const row = await tx
    .insertInto('security_events')
    .values({
      id,
      org_id: e.orgId,
      rule: e.rule,
      severity: e.severity,
      occurred_at: e.at,
      subject_type: e.subject?.type ?? null,
      subject_id: e.subject?.id ?? null,
      summary: e.summary,
      details_encrypted: details,
      dedupe_key: e.dedupeKey,
    })
    .onConflict((oc) => oc.columns(['org_id', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function markAlerted(tx: Tx, id: string, at: Date, error: string | null): Promise<void> {
  await tx.updateTable('security_events').set({ alerted_at: error ? null : at, alert_error: error ? error.slice(0, 300) : null }).where('id', '=', id).execute();
}

export type { SecurityEventView };

export async function listSecurityEvents(
  tx: Tx,
  crypto: FieldCrypto,
  orgId: string,
  opts: { limit: number; before?: Date; severity?: Severity; rule?: string },
): Promise<SecurityEventView[]> {
  let q = tx.selectFrom('security_events').selectAll().where('org_id', '=', orgId);
  if (opts.before) q = q.where('occurred_at', '<', opts.before);
  if (opts.severity) q = q.where('severity', '=', opts.severity);
  if (opts.rule) q = q.where('rule', '=', opts.rule);
  const rows: SecurityEventRow[] = await q.orderBy('occurred_at', 'desc').orderBy('id').limit(opts.limit).execute();
  const out: SecurityEventView[] = [];
  for (const r of rows) {
    const details = r.details_encrypted ? (JSON.parse(await crypto.decryptField(orgId, detailsField(r.id), r.details_encrypted, tx)) as SecurityEventView['details']) : {};
    out.push({
      id: r.id,
      rule: r.rule,
      severity: r.severity,
      occurredAt: r.occurred_at.toISOString(),
      subject: r.subject_type && r.subject_id ? { type: r.subject_type, id: r.subject_id } : null,
      summary: r.summary,
      details,
      alerted: r.alerted_at !== null,
    });
  }
  return out;
}

export interface NewOncallEvent {
  rule: string;
  severity: Severity;
  at: Date;
  summary: string;
  details: Record<string, string | number | boolean | null>;
  dedupeKey: string;
}

export async function insertOncallEvent(tx: Tx, e: NewOncallEvent): Promise<string | null> {
  const row = await tx
    .insertInto('security_oncall_events')
    .values({ rule: e.rule, severity: e.severity, occurred_at: e.at, summary: e.summary, details: JSON.stringify(e.details), dedupe_key: e.dedupeKey })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function markOncallAlerted(tx: Tx, id: string, at: Date, error: string | null): Promise<void> {
  await tx.updateTable('security_oncall_events').set({ alerted_at: error ? null : at, alert_error: error ? error.slice(0, 300) : null }).where('id', '=', id).execute();
}

// ── token usage ────────────────────────────────────────────────────────────────────────────────────────

/** Counts one use in the token's hour bucket; returns the hour's count so far. */
export async function countTokenUse(tx: Tx, orgId: string, tokenId: string, hour: Date): Promise<number> {
  const row = await tx
    .insertInto('security_token_usage')
    .values({ org_id: orgId, token_id: tokenId, hour, uses: 1 })
    .onConflict((oc) => oc.columns(['org_id', 'token_id', 'hour']).doUpdateSet({ uses: sql<number>`security_token_usage.uses + 1` }))
    .returning('uses')
    .executeTakeFirstOrThrow();
  return Number(row.uses);
}

export async function tokenUsageSince(tx: Tx, orgId: string, tokenId: string, since: Date, until: Date): Promise<{ hour: Date; uses: number }[]> {
  const rows = await tx
    .selectFrom('security_token_usage')
    .select(['hour', 'uses'])
    .where('org_id', '=', orgId)
    .where('token_id', '=', tokenId)
    .where('hour', '>=', since)
    .where('hour', '<', until)
    .execute();
  return rows.map((r) => ({ hour: new Date(r.hour), uses: Number(r.uses) }));
}

export async function firstTokenUse(tx: Tx, orgId: string, tokenId: string): Promise<Date | null> {
  const row = await tx
    .selectFrom('security_token_usage')
    .select((eb) => eb.fn.min('hour').as('first'))
    .where('org_id', '=', orgId)
    .where('token_id', '=', tokenId)
    .executeTakeFirst();
  return row?.first ? new Date(row.first as unknown as string) : null;
}

/** Drops a token's hour buckets older than the baseline needs (done as the token starts a new hour). */
export async function pruneTokenUsage(tx: Tx, orgId: string, tokenId: string, before: Date): Promise<number> {
  const res = await tx.deleteFrom('security_token_usage').where('org_id', '=', orgId).where('token_id', '=', tokenId).where('hour', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}
