// Delivery to a Slack-compatible incoming webhook: a JSON {text} POST to an https URL the member saved.
// The URL is the member's secret (stored encrypted). To keep it from reaching into Mowt's own network
// (SSRF), only https is accepted and the host must resolve to public addresses only; tests may allow
// loopback explicitly.
import dns from 'node:dns/promises';
import net from 'node:net';

export class WebhookUrlError extends Error {
  override name = 'WebhookUrlError';
}

function isPrivate(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v = ip.toLowerCase();
  if (v.startsWith('::ffff:')) return isPrivate(v.slice(7));
  return v === '::1' || v === '::' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

export function checkWebhookUrlShape(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('not a URL');
  }
  if (url.protocol !== 'https:') throw new WebhookUrlError('the webhook URL must use https');
  if (url.username || url.password) throw new WebhookUrlError('the webhook URL must not contain credentials');
  return url;
}

export interface SlackSender {
  post(url: string, text: string): Promise<void>;
}

export function slackSender(opts: { allowPrivate?: boolean; timeoutMs?: number; fetchImpl?: typeof fetch } = {}): SlackSender {
  return {
    async post(raw, text) {
      const url = checkWebhookUrlShape(raw);
      if (!opts.allowPrivate) {
        const host = url.hostname.replace(/^\[|\]$/g, '');
        const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
        if (addresses.length === 0 || addresses.some(isPrivate)) throw new WebhookUrlError('the webhook host resolves to a private address');
      }
      const res = await (opts.fetchImpl ?? fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    },
  };
}
