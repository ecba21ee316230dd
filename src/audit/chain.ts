// The tamper-evidence of the audit log: each entry's hash covers a canonical encoding of the entry and the
// hash of the entry before it in the same chain, so changing, removing or reordering any entry breaks every
// hash after it. Pure functions (no database) so the appender and the verifier share exactly one encoding.
import crypto from 'node:crypto';
import type { AuditActorType, AuditJson, AuditMetadata, AuditResult } from './audit-log.table.js';

/** The chain of entries with no organisation (failed logins of unknown addresses, operator actions). */
export const SYSTEM_CHAIN_ID = '00000000-0000-0000-0000-000000000000';
/** prev_hash of the first entry of every chain. */
export const GENESIS_HASH = '0'.repeat(64);
const ENCODING_VERSION = 1;

export function chainIdOf(orgId: string | null): string {
  return orgId ?? SYSTEM_CHAIN_ID;
}

/** The fields an entry's hash covers (everything but its storage id and the hash itself). */
export interface HashedEntry {
  orgId: string | null;
  seq: number;
  actorType: AuditActorType;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  occurredAt: Date;
  ip: string | null;
  userAgent: string | null;
  result: AuditResult;
  metadata: AuditMetadata;
  prevHash: string;
}

/** JSON with object keys sorted at every depth: the same value always encodes to the same bytes. */
export function canonicalJson(value: AuditJson): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('audit metadata numbers must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as AuditJson)}`).join(',')}}`;
}

export function canonicalEncoding(e: HashedEntry): string {
  return canonicalJson([
    ENCODING_VERSION,
    e.orgId,
    e.seq,
    e.actorType,
    e.actorId,
    e.action,
    e.targetType,
    e.targetId,
    e.occurredAt.toISOString(),
    e.ip,
    e.userAgent,
    e.result,
    e.metadata,
    e.prevHash,
  ]);
}

export function entryHash(e: HashedEntry): string {
  return crypto.createHash('sha256').update(canonicalEncoding(e), 'utf8').digest('hex');
}
