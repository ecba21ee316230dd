// Staff accounts: created by an operator (`mowt staff create`) with a one-time setup link; the staff member
// sets a password and enrols TOTP through it; sign-in needs password AND a TOTP code in one step (there is
// no password-only stage for staff). Disabling ends sessions, grants and the setup link at once.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit } from '../audit/index.js';
import { normaliseEmail } from '../auth/field-crypto.js';
import { assertPasswordAcceptable } from '../auth/password-policy.js';
import { hashToken, newToken } from '../auth/tokens.js';
import { matchTotpStep, newTotpSecret, otpauthUri, TOTP_LOCK_MS, TOTP_MAX_FAILURES } from '../auth/totp.js';
import { withoutOrg, type Tx } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { TooManyAttempts } from '../auth/second-factor.js';
import { STAFF_SETUP_TTL_MS, type StaffDeps } from './staff-deps.js';
import type { StaffAccount } from './staff-tables.table.js';

export const staffEmailField = (id: string) => ({ table: 'staff_accounts', column: 'email_encrypted', rowId: id });
export const staffTotpField = (id: string) => ({ table: 'staff_accounts', column: 'totp_secret_encrypted', rowId: id });

export const STAFF_LOGIN_FAILED = 'email, password or code is incorrect';

export class StaffCommandError extends Error {
  override name = 'StaffCommandError';
}

async function staffEmailIndex(deps: Pick<StaffDeps, 'crypto'>, email: string, tx?: Tx): Promise<string> {
  // A distinct prefix: a staff address never matches a customer account's blind index.
  return deps.crypto.blindIndex(null, 'exact', `staff\0${normaliseEmail(email)}`, tx);
}

export async function findStaffByEmail(deps: Pick<StaffDeps, 'db' | 'crypto'>, email: string): Promise<StaffAccount | null> {
  const index = await staffEmailIndex(deps, email);
  return withoutOrg(deps.db, async (tx) => (await tx.selectFrom('staff_accounts').selectAll().where('email_index', '=', index).executeTakeFirst()) ?? null);
}

export async function staffEmail(deps: Pick<StaffDeps, 'crypto'>, row: Pick<StaffAccount, 'id' | 'email_encrypted'>, tx?: Tx): Promise<string> {
  return deps.crypto.decryptSystemField(staffEmailField(row.id), row.email_encrypted, tx);
}

/** Creates a staff account (or re-issues the setup link of one that never finished setup). Returns the link token. */
export async function createStaff(deps: Pick<StaffDeps, 'db' | 'crypto' | 'clock'>, input: { email: string; name: string }): Promise<{ id: string; token: string; expiresAt: Date }> {
  const now = deps.clock();
  const token = newToken();
  const expiresAt = new Date(now.getTime() + STAFF_SETUP_TTL_MS);
  const index = await staffEmailIndex(deps, input.email);
  const id = await withoutOrg(deps.db, async (tx) => {
    const existing = await tx.selectFrom('staff_accounts').select(['id', 'password_hash', 'disabled_at']).where('email_index', '=', index).executeTakeFirst();
    if (existing?.password_hash && !existing.disabled_at) throw new StaffCommandError('a staff account with this address already exists');
    if (existing) {
      // Re-enabling an offboarded (or never set up) account starts over: new password, new authenticator.
      await tx
        .updateTable('staff_accounts')
        .set({ name: input.name, password_hash: null, totp_secret_encrypted: null, totp_confirmed_at: null, totp_last_step: null, failed_attempts: 0, locked_until: null, setup_token_hash: hashToken(token), setup_expires_at: expiresAt, disabled_at: null })
        .where('id', '=', existing.id)
        .execute();
      return existing.id;
    }
    const newId = randomUUID();
    await tx
      .insertInto('staff_accounts')
      .values({
        id: newId,
        email_index: index,
        email_encrypted: await deps.crypto.encryptSystemField(staffEmailField(newId), normaliseEmail(input.email), tx),
        name: input.name,
        setup_token_hash: hashToken(token),
        setup_expires_at: expiresAt,
        created_at: now,
      })
      .execute();
    return newId;
  });
  await appendAudit(deps.db, { orgId: null, actor: { type: 'system' }, action: 'staff.created', target: { type: 'staff', id }, at: now });
  return { id, token, expiresAt };
}

async function accountForSetup(tx: Tx, token: string, now: Date): Promise<StaffAccount> {
  const row = await tx.selectFrom('staff_accounts').selectAll().where('setup_token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row || row.disabled_at || !row.setup_expires_at || row.setup_expires_at.getTime() <= now.getTime()) throw new HttpProblem(400, 'this setup link is not valid any more; ask for a new one');
  return row;
}

/** Setup step 1: choose a password; answers a new TOTP secret to add to an authenticator app. */
export async function beginStaffSetup(deps: StaffDeps, input: { token: string; password: string }): Promise<{ secret: string; otpauthUri: string }> {
  const now = deps.clock();
  return withoutOrg(deps.db, async (tx) => {
    const row = await accountForSetup(tx, input.token, now);
    const email = await staffEmail(deps, row, tx);
    await assertPasswordAcceptable(input.password, { email, name: row.name });
    const secret = newTotpSecret();
    await tx
      .updateTable('staff_accounts')
      .set({
        password_hash: await deps.hasher.hash(input.password),
        totp_secret_encrypted: await deps.crypto.encryptSystemField(staffTotpField(row.id), secret, tx),
        totp_confirmed_at: null,
      })
      .where('id', '=', row.id)
      .execute();
    return { secret, otpauthUri: otpauthUri(secret, `staff:${email}`) };
  });
}

/** Setup step 2: a code from the authenticator proves it works; the link is spent. */
export async function confirmStaffSetup(deps: StaffDeps, input: { token: string; code: string }): Promise<{ id: string }> {
  const now = deps.clock();
  const id = await withoutOrg(deps.db, async (tx) => {
    const row = await accountForSetup(tx, input.token, now);
    if (!row.password_hash || !row.totp_secret_encrypted) throw new HttpProblem(409, 'choose a password first');
    const secret = await deps.crypto.decryptSystemField(staffTotpField(row.id), row.totp_secret_encrypted, tx);
    const step = matchTotpStep(secret, input.code.trim(), now);
    if (step === null) throw new HttpProblem(401, 'the code is not valid');
    await tx
      .updateTable('staff_accounts')
      .set({ totp_confirmed_at: now, totp_last_step: step, setup_token_hash: null, setup_expires_at: null })
      .where('id', '=', row.id)
      .execute();
    return row.id;
  });
  await appendAudit(deps.db, { orgId: null, actor: { type: 'staff', id }, action: 'staff.setup_completed', target: { type: 'staff', id }, at: now });
  return { id };
}

/**
 * Checks email + password + TOTP code. Throttled like customer sign-in (per address and IP, per IP); the
 * same answer whatever was wrong; 5 wrong codes lock the account's codes for 15 minutes.
 */
export async function verifyStaffLogin(deps: StaffDeps, input: { email: string; password: string; code: string }, meta: { ip: string; userAgent: string | null }): Promise<string> {
  const throttleKey = `staff:${input.email}`;
  const verdict = await deps.throttle.check(throttleKey, meta.ip);
  if (verdict.blocked) throw new TooManyAttempts('too many failed sign-in attempts; try again later', verdict.retryAfterSeconds);
  const now = deps.clock();
  const row = await findStaffByEmail(deps, input.email);
  const hash = row?.password_hash ?? (await deps.hasher.dummyHash());
  const passwordOk = await deps.hasher.verify(input.password, hash);
  const fail = async (reason: string) => {
    await deps.throttle.recordFailure(throttleKey, meta.ip);
    await appendAudit(deps.db, { orgId: null, actor: row ? { type: 'staff', id: row.id } : { type: 'system' }, action: 'staff.login', result: 'failure', ip: meta.ip, userAgent: meta.userAgent, metadata: { reason }, at: now });
    return new HttpProblem(401, STAFF_LOGIN_FAILED);
  };
  if (!row || !row.password_hash || !passwordOk) throw await fail(row ? 'wrong-password' : 'unknown-email');
  if (row.disabled_at || !row.totp_confirmed_at || !row.totp_secret_encrypted) throw await fail(row.disabled_at ? 'disabled' : 'setup-incomplete');
  if (row.locked_until && row.locked_until.getTime() > now.getTime()) throw new TooManyAttempts('too many wrong codes; try again in 15 minutes', TOTP_LOCK_MS / 1000);
  const secret = await deps.crypto.decryptSystemField(staffTotpField(row.id), row.totp_secret_encrypted);
  const step = matchTotpStep(secret, input.code.trim(), now);
  const accepted =
    step !== null &&
    (await withoutOrg(deps.db, async (tx) => {
      // Atomic replay guard: a code works once.
      const res = await tx
        .updateTable('staff_accounts')
        .set({ totp_last_step: step, failed_attempts: 0, locked_until: null })
        .where('id', '=', row.id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    }));
  if (!accepted) {
    await withoutOrg(deps.db, (tx) =>
      tx
        .updateTable('staff_accounts')
        .set({
          failed_attempts: sql<number>`case when failed_attempts + 1 >= ${TOTP_MAX_FAILURES} then 0 else failed_attempts + 1 end`,
          locked_until: sql<Date>`case when failed_attempts + 1 >= ${TOTP_MAX_FAILURES} then ${new Date(now.getTime() + TOTP_LOCK_MS)} else locked_until end`,
        })
        .where('id', '=', row.id)
        .execute(),
    );
    throw await fail('wrong-code');
  }
  await deps.throttle.recordSuccess(throttleKey, meta.ip);
  await appendAudit(deps.db, { orgId: null, actor: { type: 'staff', id: row.id }, action: 'staff.login', result: 'success', ip: meta.ip, userAgent: meta.userAgent, at: now });
  return row.id;
}
