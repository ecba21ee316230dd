// How authentication reports what happened to the audit log (src/audit, owned by the teams slice). Auth
// events have no organisation (a user may have several), so they belong to the system chain. The app wires
// the real audit appender in src/app.ts; this narrow interface keeps auth independent of its internals.
import type { Logger } from 'pino';
import { appendAudit } from '../audit/index.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';

export type AuthAuditResult = 'success' | 'failure' | 'denied';

export interface AuthAuditEvent {
  /** e.g. 'auth.login', 'auth.login.throttled', 'auth.totp.verify', 'auth.session.revoke'. */
  action: string;
  result: AuthAuditResult;
  /** The signed-in user (or the account a failure was about); null for unknown addresses. */
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** What was acted on, e.g. a session id. */
  target?: string;
  details?: Record<string, string | number | boolean | null>;
}

export interface AuthAudit {
  record(event: AuthAuditEvent): Promise<void>;
}

/** Writes audit events as structured log lines (used until/unless a database audit log is wired). */
export function loggerAudit(logger: Logger): AuthAudit {
  return {
    async record(event) {
      logger.info({ audit: event }, `audit ${event.action} ${event.result}`);
    },
  };
}

/** Keeps events in memory: tests assert on them. */
export function memoryAudit(): AuthAudit & { events: AuthAuditEvent[] } {
  const events: AuthAuditEvent[] = [];
  return {
    events,
    async record(event) {
      events.push(event);
    },
  };
}

/** The real sink: the hash-chained audit log, system chain (auth events belong to no single organisation). */
export function databaseAudit(db: Db, clock: Clock): AuthAudit {
  return {
    async record(event) {
      await appendAudit(db, {
        orgId: null,
        actor: event.userId ? { type: 'user', id: event.userId } : { type: 'system', id: null },
        action: event.action,
        target: event.target ? { type: 'session', id: event.target } : null,
        result: event.result,
        ip: event.ip,
        userAgent: event.userAgent,
        metadata: event.details ?? {},
        at: clock(),
      });
    },
  };
}
