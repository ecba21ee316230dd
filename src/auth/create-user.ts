// Creates a user with a password (first admin via `mowt create-admin`, invite acceptance). The password
// must pass the policy; the address is stored encrypted (bound to the new row's id) with a blind index for
// lookup. The bcrypt hash is computed before any transaction so no connection is held during it.
import crypto from 'node:crypto';
import { HttpProblem } from '../http/problem.js';
import { withoutOrg, type Tx } from '../db/tenant.js';
import type { AuthDeps } from './auth-deps.js';
import { emailField, normaliseEmail } from './field-crypto.js';
import { assertPasswordAcceptable } from './password-policy.js';
import { emailIndexOf, findUserByEmailIndex, setPasswordHash } from './users.js';

export interface CreateUserInput {
  email: string;
  name: string;
  password: string;
  /** Used by the password policy: a password containing the org name is refused. */
  orgName?: string;
  /** The address was already proven (e.g. the user followed an emailed invite). */
  emailVerified?: boolean;
}

export type CreateUserDeps = Pick<AuthDeps, 'db' | 'crypto' | 'hasher' | 'clock' | 'breachCheck'>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The normalised address, or 422 when it is not one. */
export function validEmail(input: string): string {
  const email = normaliseEmail(input);
  if (!EMAIL.test(email) || email.length > 254) throw new HttpProblem(422, 'email is not a valid address');
  return email;
}

/**
 * Returns the new user's id. Pass `tx` to create the user inside the caller's transaction (e.g. together
 * with its organisation and membership). Throws HttpProblem 422 (policy) or 409 (address taken).
 */
export async function createUser(deps: CreateUserDeps, input: CreateUserInput, tx?: Tx): Promise<{ id: string }> {
  const email = validEmail(input.email);
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) throw new HttpProblem(422, 'name must be 1 to 200 characters');
  await assertPasswordAcceptable(input.password, { email, orgName: input.orgName, name }, deps.breachCheck);
  const hash = await deps.hasher.hash(input.password);
  const now = deps.clock();
  const id = crypto.randomUUID();

  const insert = async (t: Tx) => {
    const emailIndex = await emailIndexOf(deps.crypto, email, t);
    if (await findUserByEmailIndex(t, emailIndex)) throw new HttpProblem(409, 'an account with this email address already exists');
    const emailEncrypted = await deps.crypto.encryptSystemField(emailField(id), email, t);
    await t
      .insertInto('users')
      .values({ id, email_encrypted: emailEncrypted, email_index: emailIndex, name, email_verified_at: input.emailVerified ? now : null })
      .execute();
    await setPasswordHash(t, id, hash, now);
    return { id };
  };
  return tx ? insert(tx) : withoutOrg(deps.db, insert);
}
