// bcrypt, always through the native async binding (the work runs on libuv's thread pool, never on the event
// loop). Passwords are pre-hashed: SHA-256 of the UTF-8 password, base64-encoded (44 ASCII bytes), so that
// bcrypt's 72-byte truncation never silently drops the end of a long passphrase and no NUL byte can cut it
// short. See docs/decisions/021-password-hashing.md.
import crypto from 'node:crypto';
import bcrypt from 'bcrypt';

export const PRODUCTION_BCRYPT_COST = 12;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** A hash of a random password at this hasher's cost: compared against when the account does not exist. */
  dummyHash(): Promise<string>;
}

export function preHash(password: string): string {
  return crypto.createHash('sha256').update(password, 'utf8').digest('base64');
}

export function bcryptHasher(cost: number = PRODUCTION_BCRYPT_COST): PasswordHasher {
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => bcrypt.hash(preHash(password), cost),
    verify: (password, hash) => bcrypt.compare(preHash(password), hash),
    dummyHash() {
      dummy ??= bcrypt.hash(preHash(crypto.randomBytes(32).toString('base64')), cost);
      return dummy;
    },
  };
}
