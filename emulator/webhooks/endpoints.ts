// Webhook endpoints registered through the admin API, and delivery of events to them, signed as Stripe signs.
import { randomBytes } from 'node:crypto';
import type { StripeObject } from '../generator/types.js';
import { signPayload } from './signature.js';

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
  /** Deliver each new event as soon as it is created (otherwise only on explicit delivery). */
  autoDeliver: boolean;
}

export interface Delivery {
  endpoint: string;
  event: string;
  status: number | null;
  error?: string;
}

export class Webhooks {
  readonly endpoints: WebhookEndpoint[] = [];
  readonly deliveries: Delivery[] = [];

  constructor(private readonly now: () => number) {}

  add(url: string, secret?: string, autoDeliver = false): WebhookEndpoint {
    const endpoint = { id: `we_${randomBytes(8).toString('hex')}`, url, secret: secret ?? `whsec_${randomBytes(24).toString('hex')}`, autoDeliver };
    this.endpoints.push(endpoint);
    return endpoint;
  }

  async deliver(events: readonly StripeObject[], only?: (e: WebhookEndpoint) => boolean): Promise<Delivery[]> {
    const results: Delivery[] = [];
    for (const endpoint of this.endpoints.filter((e) => !only || only(e))) {
      for (const event of events) {
        const payload = JSON.stringify(event, null, 2);
        const signature = signPayload(payload, endpoint.secret, this.now());
        let delivery: Delivery;
        try {
          const response = await fetch(endpoint.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
            body: payload,
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          delivery = { endpoint: endpoint.id, event: String(event['id']), status: response.status };
        } catch (error) {
          delivery = { endpoint: endpoint.id, event: String(event['id']), status: null, error: (error as Error).message };
        }
        results.push(delivery);
        this.deliveries.push(delivery);
      }
    }
    return results;
  }
}
