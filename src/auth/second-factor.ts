// Checking a second factor (TOTP code or recovery code) with replay protection and the shared lockout:
// 5 wrong codes of either kind block 2FA attempts for 15 minutes. Each check commits its own transaction,
// so a failure is counted even though the caller then answers with an error, and holds the user's
// user_totp row meanwhile, so parallel checks cannot all decide on the same failure count.
import { sql } from 'kysely';
import { withoutOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps } from './auth-deps.js';
import { totpSecretField } from './field-crypto.js';
import { consumeRecoveryCode } from './recovery-codes.js';
import { matchTotpStep, TOTP_LOCK_MS, TOTP_MAX_FAILURES } from './totp.js';
import type { UserTotp } from './user-totp.table.js';

export type FactorResult = 'ok' | 'invalid' | 'locked' | 'not-enrolled';

/** Thrown when 2FA attempts are locked; the auth plugin adds Retry-After. */
export class TooManyAttempts extends HttpProblem {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, detail);
  }
}

/** `lock`: hold the row until the transaction ends, so concurrent code checks of one user run one at a time. */
export async function loadTotp(tx: Tx, userId: string, opts: { lock?: boolean } = {}): Promise<UserTotp | null> {
  const q = tx.selectFrom('user_totp').selectAll().where('user_id', '=', userId);
  return (await (opts.lock ? q.forUpdate() : q).executeTakeFirst()) ?? null;
}

export function isLocked(row: Pick<UserTotp, 'locked_until'>, now: Date): boolean {
  return row.locked_until !== null && row.locked_until.getTime() > now.getTime();
}

async function countFailure(tx: Tx, userId: string, now: Date): Promise<void> {
  const lockUntil = new Date(now.getTime() + TOTP_LOCK_MS);
  await tx
    .updateTable('user_totp')
    .set({
      failed_attempts: sql<number>`case when failed_attempts + 1 >= ${TOTP_MAX_FAILURES} then 0 else failed_attempts + 1 end`,
      locked_until: sql<Date>`case when failed_attempts + 1 >= ${TOTP_MAX_FAILURES} then ${lockUntil} else locked_until end`,
    })
    .where('user_id', '=', userId)
    .execute();
}

async function clearFailures(tx: Tx, userId: string): Promise<void> {
  await tx.updateTable('user_totp').set({ failed_attempts: 0, locked_until: null }).where('user_id', '=', userId).execute();
}

/**
 * Checks a TOTP code. `pending` checks the not-yet-confirmed secret of an enrolment instead of the active one.
 * A code is accepted only if its time-step is later than the last one used (a code works once).
 */
export async function checkTotpCode(
  deps: Pick<AuthDeps, 'db' | 'crypto' | 'clock'>,
  userId: string,
  code: string,
  opts: { pending?: boolean } = {},
): Promise<FactorResult> {
  const now = deps.clock();
  return withoutOrg(deps.db, async (tx) => {
    // Locked: parallel guesses would otherwise all read the same failure count and slip past the lockout.
    const row = await loadTotp(tx, userId, { lock: true });
    if (!row || (row.confirmed_at === null) !== (opts.pending ?? false)) return 'not-enrolled';
    if (isLocked(row, now)) return 'locked';
    const secret = await deps.crypto.decryptSystemField(totpSecretField(userId), row.secret_encrypted, tx);
    const step = matchTotpStep(secret, code.trim(), now);
    if (step !== null) {
      // Atomic replay guard: only one request can move last_used_step forward to this step.
      const res = await tx
        .updateTable('user_totp')
        .set({ last_used_step: step, failed_attempts: 0, locked_until: null })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', String(step))]))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) return 'ok';
    }
    await countFailure(tx, userId, now);
    return 'invalid';
  });
}

/** Checks and spends a recovery code; wrong codes count towards the same lockout as TOTP codes. */
export async function checkRecoveryCode(deps: Pick<AuthDeps, 'db' | 'clock'>, userId: string, code: string): Promise<FactorResult> {
  const now = deps.clock();
  return withoutOrg(deps.db, async (tx) => {
    const row = await loadTotp(tx, userId, { lock: true });
    if (!row || row.confirmed_at === null) return 'not-enrolled';
    if (isLocked(row, now)) return 'locked';
    if (await consumeRecoveryCode(tx, userId, code, now)) {
      await clearFailures(tx, userId);
      return 'ok';
    }
    await countFailure(tx, userId, now);
    return 'invalid';
  });
}

/** Turns a failed check into the HTTP answer. */
export function assertFactorOk(result: FactorResult): void {
  if (result === 'ok') return;
  if (result === 'locked') throw new TooManyAttempts('too many wrong codes; two-factor attempts are blocked for 15 minutes', TOTP_LOCK_MS / 1000);
  if (result === 'not-enrolled') throw new HttpProblem(409, 'two-factor authentication is not set up');
  throw new HttpProblem(401, 'the code is not valid or was already used');
}
