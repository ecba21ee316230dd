// One-click unsubscribe tokens (RFC 8058): `u1.<purpose>.<orgId>.<userId>.<nonce>.<mac>`, the MAC being the
// organisation's keyed blind-index HMAC over the purpose, ids and the member's current nonce. Single
// purpose (a digest token cannot switch off notifications), no login needed, and re-subscribing rotates
// the nonce so an old link stops working. Verification is constant-time.
import crypto from 'node:crypto';
import type { FieldCrypto } from '../crypto/index.js';
import type { Tx } from '../db/tenant.js';

export type UnsubscribePurpose = 'digest' | 'notify';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^u1\.(digest|notify)\.([0-9a-f-]{36})\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  purpose: UnsubscribePurpose;
  orgId: string;
  userId: string;
  nonce: string;
  mac: string;
}

async function macOf(crypto: Pick<FieldCrypto, 'blindIndex'>, t: Omit<ParsedToken, 'mac'>, tx: Tx): Promise<string> {
  return crypto.blindIndex(t.orgId, 'exact', `mowt-unsubscribe\0${t.purpose}\0${t.orgId}\0${t.userId}\0${t.nonce}`, tx);
}

export function newNonce(): string {
  return crypto.randomBytes(16).toString('base64url');
}

export async function unsubscribeToken(c: Pick<FieldCrypto, 'blindIndex'>, t: Omit<ParsedToken, 'mac'>, tx: Tx): Promise<string> {
  return `u1.${t.purpose}.${t.orgId}.${t.userId}.${t.nonce}.${await macOf(c, t, tx)}`;
}

export function parseUnsubscribeToken(token: string): ParsedToken | null {
  const m = TOKEN.exec(token);
  if (!m || !UUID.test(m[2] ?? '') || !UUID.test(m[3] ?? '')) return null;
  return { purpose: m[1] as UnsubscribePurpose, orgId: m[2] as string, userId: m[3] as string, nonce: m[4] as string, mac: m[5] as string };
}

/** Whether the token's MAC is right (call inside withOrg(token.orgId)). */
export async function macMatches(c: Pick<FieldCrypto, 'blindIndex'>, t: ParsedToken, tx: Tx): Promise<boolean> {
  const expected = Buffer.from(await macOf(c, t, tx));
  const given = Buffer.from(t.mac);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
