// Signed alert webhooks, Slack-compatible: the body is JSON with a `text` field (what Slack, Mattermost and
// Teams incoming webhooks display) plus the structured event. Every request carries
//   X-Mowt-Timestamp: <unix seconds>
//   X-Mowt-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the channel's secret>
// so a receiver can check it came from Mowt and is fresh (reject timestamps older than 5 minutes).
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import net from 'node:net';

export const SIGNATURE_HEADER = 'x-mowt-signature';
export const TIMESTAMP_HEADER = 'x-mowt-timestamp';
const TIMEOUT_MS = 5000;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** What a receiver does: constant-time comparison, and a timestamp no older than toleranceS. */
export function verifyWebhook(secret: string, headers: { timestamp?: string; signature?: string }, body: string, nowS: number, toleranceS = 300): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS || typeof headers.signature !== 'string') return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

export function newWebhookSecret(): string {
  return `whsec_mowt_${crypto.randomBytes(32).toString('base64url')}`;
}

export class WebhookUrlError extends Error {
  override name = 'WebhookUrlError';
}

function isPrivateAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v = ip.toLowerCase();
  if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
  return v === '::' || v === '::1' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

/**
 * A webhook URL Mowt will call. Production: https only, and the host must not resolve to a private,
 * loopback or link-local address (no requests into Mowt's own network). Elsewhere http to a local
 * receiver is allowed, for development and tests.
 */
export async function checkWebhookUrl(url: string, production: boolean): Promise<URL> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WebhookUrlError('the webhook URL is not a valid URL');
  }
  if (u.username || u.password) throw new WebhookUrlError('the webhook URL must not carry credentials');
  if (production) {
    if (u.protocol !== 'https:') throw new WebhookUrlError('the webhook URL must use https');
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.length === 0) throw new WebhookUrlError('the webhook host does not resolve');
    if (addresses.some(isPrivateAddress)) throw new WebhookUrlError('the webhook host resolves to a private address');
  } else if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new WebhookUrlError('the webhook URL must use https');
  }
  return u;
}

export interface WebhookPayload {
  text: string;
  [key: string]: unknown;
}

/** Posts a signed payload; throws on a network error, a timeout or a non-2xx answer. */
export async function postWebhook(url: string, secret: string, payload: WebhookPayload, at: Date): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(at.getTime() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body), 'user-agent': 'Mowt-Alerts/1' },
    body,
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`webhook answered ${res.status}`);
}
