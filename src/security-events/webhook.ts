// Signed alert webhooks, Slack-compatible: the body is JSON with a `text` field (what Slack, Mattermost and
// Teams incoming webhooks display) plus the structured event. Every request carries
//   X-Mowt-Timestamp: <unix seconds>
//   X-Mowt-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the channel's secret>
// so a receiver can check it came from Mowt and is fresh (reject timestamps older than 5 minutes).
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import net from 'node:net';
import { isPublicAddress, postOutbound } from '../http/egress.js';

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
    if (addresses.some((a) => !isPublicAddress(a))) throw new WebhookUrlError('the webhook host resolves to a private address');
  } else if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new WebhookUrlError('the webhook URL must use https');
  }
  return u;
}

export interface WebhookPayload {
  text: string;
  [key: string]: unknown;
}

/**
 * Posts a signed payload; throws on a refused address, a network error, a timeout or a non-2xx answer.
 * A customer's webhook (publicOnly) may only connect to public addresses, checked when the socket connects
 * (src/http/egress.ts), so a host that changes its DNS answer after the URL was saved gains nothing.
 */
export async function postWebhook(url: string, secret: string, payload: WebhookPayload, at: Date, opts: { publicOnly: boolean }): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(at.getTime() / 1000);
  const status = await postOutbound(new URL(url), body, {
    headers: { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body), 'user-agent': 'Mowt-Alerts/1' },
    timeoutMs: TIMEOUT_MS,
    allowPrivate: !opts.publicOnly,
  });
  if (status < 200 || status >= 300) throw new Error(`webhook answered ${status}`);
}
