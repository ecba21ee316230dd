// Session records: created at each sign-in step with a fresh token (no fixation), looked up by the SHA-256
// of the cookie on every request (so a revocation is effective on the very next request), expired after
// 7 days without activity and 30 days in all. See docs/decisions/020-sessions.md.
import { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { withoutOrg, type Tx } from '../db/tenant.js';
import type { SessionStage } from './sessions.table.js';
import { hashToken, newToken } from './tokens.js';

export const SESSION_COOKIE = '__Host-mowt_session';
export const IDLE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
/** A session that has only passed the password step is for finishing sign-in, not for keeping. */
export const PASSWORD_STAGE_IDLE_MS = 15 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * A read the page makes by itself (a status poll on an open dashboard) sends this header: it is not the
 * user's activity, so it does not extend the 7-day idle limit; a dashboard left open on a screen for a week
 * signs out like an abandoned one. Shared with the web client (type-only imports cannot carry a value).
 */
export const BACKGROUND_HEADER = 'x-mowt-background';

/** Whether a request counts as the user's activity for the idle limit (anything but a marked background read). */
export function isUserActivity(method: string, headers: Record<string, string | string[] | undefined>): boolean {
  return !((method === 'GET' || method === 'HEAD') && headers[BACKGROUND_HEADER] === '1');
}

/** last_seen_at is written at most this often: a busy dashboard must not write on every request. */
export const TOUCH_INTERVAL_MS = 60 * 1000;
/** Sudo mode: how long a re-authentication allows sensitive actions. */
export const SUDO_WINDOW_MS = 10 * 60 * 1000;

export interface NewSessionInput {
  userId: string;
  stage: SessionStage;
  now: Date;
  recentAuthAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  /** Keep the original creation time when a session is rotated, so rotation cannot extend the 30 days. */
  createdAt?: Date;
}

export async function createSession(tx: Tx, input: NewSessionInput): Promise<{ id: string; token: string }> {
  const token = newToken();
  const row = await tx
    .insertInto('sessions')
    .values({
      user_id: input.userId,
      token_hash: hashToken(token),
      stage: input.stage,
      created_at: input.createdAt ?? input.now,
      last_seen_at: input.now,
      recent_auth_at: input.recentAuthAt,
      ip: input.ip,
      user_agent: input.userAgent ? input.userAgent.slice(0, 400) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

export interface LoadedSession {
  id: string;
  userId: string;
  stage: SessionStage;
  createdAt: Date;
  lastSeenAt: Date;
  recentAuthAt: Date | null;
  totpEnrolled: boolean;
}

export async function findSessionByToken(tx: Tx, token: string): Promise<LoadedSession | null> {
  const row = await tx
    .selectFrom('sessions as s')
    .leftJoin('user_totp as t', (j) => j.onRef('t.user_id', '=', 's.user_id').on('t.confirmed_at', 'is not', null))
    .select(['s.id', 's.user_id', 's.stage', 's.created_at', 's.last_seen_at', 's.recent_auth_at', 't.user_id as totp_user'])
    .where('s.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    stage: row.stage,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    recentAuthAt: row.recent_auth_at,
    totpEnrolled: row.totp_user !== null,
  };
}

export function isSessionExpired(s: Pick<LoadedSession, 'createdAt' | 'lastSeenAt' | 'stage'>, now: Date): boolean {
  const t = now.getTime();
  const idle = s.stage === 'full' ? IDLE_TIMEOUT_MS : PASSWORD_STAGE_IDLE_MS;
  return t - s.lastSeenAt.getTime() >= idle || t - s.createdAt.getTime() >= ABSOLUTE_TIMEOUT_MS;
}

export function needsTouch(s: Pick<LoadedSession, 'lastSeenAt'>, now: Date): boolean {
  return now.getTime() - s.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS;
}

export function isRecentlyAuthenticated(recentAuthAt: Date | null, now: Date): boolean {
  return recentAuthAt !== null && now.getTime() - recentAuthAt.getTime() < SUDO_WINDOW_MS;
}

export async function touchSession(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function deleteSession(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function setRecentAuth(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.updateTable('sessions').set({ recent_auth_at: now, last_seen_at: now }).where('id', '=', id).execute();
}

/**
 * Replaces a session by a new one with a new token (rotation), e.g. at 2FA step-up. The old token stops
 * working at once. Returns the new token, or null when the old session no longer exists: it was revoked
 * (logout, password reset, "sign out that device") after the request loaded it, and must not come back.
 */
export async function rotateSession(
  tx: Tx,
  old: { id: string; userId: string; createdAt: Date },
  next: { stage: SessionStage; now: Date; recentAuthAt: Date | null; ip: string | null; userAgent: string | null },
): Promise<{ id: string; token: string } | null> {
  const gone = await tx.deleteFrom('sessions').where('id', '=', old.id).where('user_id', '=', old.userId).executeTakeFirst();
  if (Number(gone.numDeletedRows) !== 1) return null;
  return createSession(tx, { userId: old.userId, createdAt: old.createdAt, ...next });
}

export interface SessionSummary {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
  stage: SessionStage;
}

export async function listUserSessions(tx: Tx, userId: string): Promise<SessionSummary[]> {
  const rows = await tx
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent', 'stage'])
    .where('user_id', '=', userId)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, ip: r.ip, userAgent: r.user_agent, stage: r.stage }));
}

/** Deletes one of the user's sessions; false when it is not theirs or does not exist. */
export async function deleteUserSession(tx: Tx, userId: string, sessionId: string): Promise<boolean> {
  const res = await tx.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/**
 * Ends every session of a user (member removed, role changed, password reset, offboarding), optionally
 * keeping one. Effective on the user's next request, since every request reads its session row. Accepts the
 * app's Db (runs its own transaction) or a transaction the caller already holds.
 */
export async function revokeUserSessions(db: Db | Kysely<Database>, userId: string, opts: { except?: string } = {}): Promise<number> {
  const run = async (tx: Kysely<Database>) => {
    let q = tx.deleteFrom('sessions').where('user_id', '=', userId);
    if (opts.except) q = q.where('id', '<>', opts.except);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows);
  };
  return db instanceof Kysely ? run(db) : withoutOrg(db, run);
}
