// Delivery to a Slack-compatible incoming webhook: a JSON {text} POST to an https URL the member saved.
// The URL is the member's secret (stored encrypted). To keep it from reaching into Mowt's own network
// (SSRF), only https is accepted and the connection may only go to public addresses, checked at connect
// time (src/http/egress.ts); tests may allow loopback explicitly.
import { postOutbound } from '../http/egress.js';

export class WebhookUrlError extends Error {
  override name = 'WebhookUrlError';
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

export function slackSender(opts: { allowPrivate?: boolean; timeoutMs?: number; post?: typeof postOutbound } = {}): SlackSender {
  const post = opts.post ?? postOutbound;
  return {
    async post(raw, text) {
      const url = checkWebhookUrlShape(raw);
      const status = await post(url, JSON.stringify({ text }), { timeoutMs: opts.timeoutMs ?? 10_000, allowPrivate: opts.allowPrivate ?? false });
      if (status < 200 || status >= 300) throw new Error(`webhook answered ${status}`);
    },
  };
}
