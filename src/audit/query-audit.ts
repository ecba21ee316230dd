// Reading the audit log of one organisation: filters, newest-first paging by seq, and CSV/JSON export.
// Always runs in the organisation's transaction (RLS), so only that organisation's chain is visible.
import type { Tx } from '../db/tenant.js';
import type { AuditLogRow, AuditResult } from './audit-log.table.js';
import type { AuditEntryView } from './audit-schemas.js';

export interface AuditFilters {
  actor?: string;
  action?: string;
  /** 'type' or 'type:id'. */
  target?: string;
  from?: Date;
  to?: Date;
  result?: AuditResult;
}

export type { AuditEntryView };

export function toView(row: AuditLogRow): AuditEntryView {
  return {
    id: row.id,
    seq: Number(row.seq),
    occurredAt: new Date(row.occurred_at).toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    result: row.result,
    ip: row.ip,
    userAgent: row.user_agent,
    metadata: typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as unknown) : row.metadata,
    hash: row.hash,
  };
}

/** Entries matching `filters`, newest first, at most `limit`, strictly older than seq `before` when given. */
export async function queryAudit(
  tx: Tx,
  orgId: string,
  filters: AuditFilters,
  page: { limit: number; before?: number },
): Promise<AuditEntryView[]> {
  let q = tx.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
  if (filters.actor) q = q.where('actor_id', '=', filters.actor);
  if (filters.action) {
    // 'member.' matches every member action; anything else must match exactly.
    q = filters.action.endsWith('.') ? q.where('action', 'like', `${filters.action.replace(/[\\%_]/g, '\\$&')}%`) : q.where('action', '=', filters.action);
  }
  if (filters.target) {
    const [type, ...rest] = filters.target.split(':');
    q = q.where('target_type', '=', type ?? '');
    if (rest.length > 0) q = q.where('target_id', '=', rest.join(':'));
  }
  if (filters.from) q = q.where('occurred_at', '>=', filters.from);
  if (filters.to) q = q.where('occurred_at', '<', filters.to);
  if (filters.result) q = q.where('result', '=', filters.result);
  if (page.before !== undefined) q = q.where('seq', '<', page.before as unknown as string);
  const rows = await q.orderBy('seq', 'desc').limit(page.limit).execute();
  return rows.map(toView);
}

const CSV_COLUMNS: (keyof AuditEntryView)[] = [
  'seq', 'occurredAt', 'actorType', 'actorId', 'action', 'targetType', 'targetId', 'result', 'ip', 'userAgent', 'metadata', 'hash',
];

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A cell starting with = + - @ (or tab/CR) is run as a formula by spreadsheet programs; neutralise it.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(entries: AuditEntryView[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
