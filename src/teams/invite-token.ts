// Invite link tokens: "<orgId>.<256 random bits>". The organisation id lets acceptance open the right
// tenant scope without any cross-tenant lookup; the random part is the secret. Only the SHA-256 of the
// whole token is stored. The link carries it in the fragment, which browsers never send to servers or in
// Referer headers.
import crypto from 'node:crypto';

const SHAPE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export function newInviteToken(orgId: string): string {
  return `${orgId}.${crypto.randomBytes(32).toString('base64url')}`;
}

export function hashInviteToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The organisation an invite token names, or null when the token is malformed. */
export function inviteTokenOrg(token: string): string | null {
  return SHAPE.exec(token)?.[1] ?? null;
}

export function inviteLink(baseUrl: string, token: string): string {
  return `${baseUrl}/invite#token=${encodeURIComponent(token)}`;
}
