// Opaque random tokens (sessions, mailed links) and the SHA-256 digests that are all the database keeps.
import crypto from 'node:crypto';

/** 256 random bits, URL-safe. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}
