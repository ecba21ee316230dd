// Data-access auditing: who read which customer, export or API token, and which dashboard pages they viewed.
// Reads are recorded in a short transaction of their own after the read, so a burst of reads in one
// organisation never waits on the chain lock while holding its own read transaction open.
import type { Db } from '../db/database.js';
import { appendAudit, appendAuditOnce, type AuditActor } from './append-audit.js';
import type { AuditMetadata } from './audit-log.table.js';

export type AuditedRead = 'customer' | 'customer_list' | 'export' | 'api_token' | 'staff';

export interface RequestContext {
  ip?: string | null;
  userAgent?: string | null;
}

/** The audit context of an HTTP request: client address (as trusted-proxy rules resolve it) and user agent. */
export function requestContext(request: { ip: string; headers: Record<string, string | string[] | undefined> }): RequestContext {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : null };
}

export interface ReadRecord {
  orgId: string;
  actor: AuditActor;
  what: AuditedRead;
  /** The customer id, export id, token id… that was read (null for a list). */
  targetId?: string | null;
  /** For lists: the ids shown, so "who saw customer X" can be answered. */
  ids?: string[];
  context?: RequestContext;
  metadata?: AuditMetadata;
  at?: Date;
}

/** Records a read of customer-level data (or an export, an API-token read, a staff read). */
export async function auditRead(db: Db, read: ReadRecord): Promise<void> {
  await appendAudit(db, {
    orgId: read.orgId,
    actor: read.actor,
    action: `read.${read.what}`,
    target: { type: read.what, id: read.targetId ?? null },
    ip: read.context?.ip,
    userAgent: read.context?.userAgent,
    metadata: { ...(read.metadata ?? {}), ...(read.ids ? { ids: read.ids, count: read.ids.length } : {}) },
    at: read.at,
  });
}

/**
 * Records that a user viewed a dashboard page, at most once per user, page and clock minute. The check and
 * the append happen under the chain's head lock, so two tabs opening the same page together record it once.
 * Returns whether an entry was written.
 */
export async function auditPageView(
  db: Db,
  view: { orgId: string; userId: string; page: string; context?: RequestContext; at?: Date },
): Promise<boolean> {
  const at = view.at ?? new Date();
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const written = await appendAuditOnce(
    db,
    {
      orgId: view.orgId,
      actor: { type: 'user', id: view.userId },
      action: 'page.viewed',
      target: { type: 'page', id: view.page },
      ip: view.context?.ip,
      userAgent: view.context?.userAgent,
      at,
    },
    minute,
  );
  return written !== null;
}
