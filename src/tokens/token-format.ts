// The shape of an organisation API token: `mowt_<prefix>_<secret>`. The prefix (48 random bits, hex) is a
// public lookup id shown in lists; the secret is 256 random bits. Only SHA-256 of the whole token is stored,
// so a database leak yields no usable token. The fixed `mowt_` start lets secret scanners (GitHub, gitleaks)
// recognise a leaked token.
import crypto from 'node:crypto';

const SHAPE = /^mowt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiToken {
  token: string;
  prefix: string;
  hash: string;
}

export function hashApiToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newApiToken(): NewApiToken {
  const prefix = crypto.randomBytes(6).toString('hex');
  const token = `mowt_${prefix}_${crypto.randomBytes(32).toString('base64url')}`;
  return { token, prefix, hash: hashApiToken(token) };
}

/** The prefix of a well-formed token, or null. */
export function tokenPrefix(token: string): string | null {
  return SHAPE.exec(token)?.[1] ?? null;
}

/** Constant-time comparison of the stored hash with the presented token's. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** What lists show instead of the secret. */
export function maskedToken(prefix: string): string {
  return `mowt_${prefix}_…`;
}
