// The Stripe App OAuth flow and signed webhooks, driven the way Mowt's tests will drive them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index.js';
import type { RunningEmulator } from './index.js';

let emulator: RunningEmulator;
let clock = new Date('2026-06-01T12:00:00Z').getTime();

beforeAll(async () => {
  emulator = await startEmulator({ business: 'small', seed: 8, rateLimitPerSecond: null, now: () => new Date(clock), oauth: { accessTokenTtlSeconds: 3600 } });
});
afterAll(async () => {
  await emulator.close();
});

const sdk = (key: string): Stripe => new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });

async function authorize(state: string): Promise<URL> {
  const { clientId } = emulator.oauthClient;
  const consent = await fetch(`${emulator.url}/oauth/v2/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent('http://localhost:9/cb')}&state=${state}`);
  const html = await consent.text();
  expect(consent.status).toBe(200);
  expect(html).toContain('read-only');
  expect(html).toContain('Approve');
  const form = new URLSearchParams({ client_id: clientId, redirect_uri: 'http://localhost:9/cb', state, decision: 'approve', account: emulator.accountId });
  const approved = await fetch(`${emulator.url}/oauth/authorize/approve`, { method: 'POST', body: form, redirect: 'manual' });
  expect(approved.status).toBe(302);
  return new URL(approved.headers.get('location') ?? '');
}

async function token(fields: Record<string, string>, secret = emulator.oauthClient.clientSecret): Promise<Response> {
  return fetch(`${emulator.url}/v1/oauth/token`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: new URLSearchParams(fields) });
}

describe('OAuth (Stripe App, read_only)', () => {
  it('consent → code with the same state → tokens that read the granted account; refresh; revoke', async () => {
    const redirect = await authorize('csrf-state-123');
    expect(redirect.searchParams.get('state')).toBe('csrf-state-123');
    const code = redirect.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    expect((await token({ grant_type: 'authorization_code', code }, 'wrong-secret')).status).toBe(401);
    const granted = (await (await token({ grant_type: 'authorization_code', code })).json()) as Record<string, string | number>;
    expect(granted).toMatchObject({ scope: 'read_only', stripe_user_id: emulator.accountId, expires_in: 3600, token_type: 'bearer' });
    // Codes are single use.
    expect((await token({ grant_type: 'authorization_code', code })).status).toBe(400);

    const access = String(granted['access_token']);
    expect((await sdk(access).customers.list({ limit: 1 })).data).toHaveLength(1);

    clock += 3601 * 1000; // the access token expires…
    await expect(sdk(access).customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const refreshed = (await (await token({ grant_type: 'refresh_token', refresh_token: String(granted['refresh_token']) })).json()) as Record<string, string>;
    const access2 = String(refreshed['access_token']);
    expect((await sdk(access2).accounts.retrieveCurrent()).id).toBe(emulator.accountId); // …and refreshing works

    const revoke = await fetch(`${emulator.url}/oauth/deauthorize`, {
      method: 'POST', body: new URLSearchParams({ client_id: emulator.oauthClient.clientId, client_secret: emulator.oauthClient.clientSecret, stripe_user_id: emulator.accountId }),
    });
    expect(await revoke.json()).toEqual({ stripe_user_id: emulator.accountId });
    await expect(sdk(access2).customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((await token({ grant_type: 'refresh_token', refresh_token: String(granted['refresh_token']) })).status).toBe(400);
  });

  it('deny redirects with access_denied and the state', async () => {
    const { clientId } = emulator.oauthClient;
    const form = new URLSearchParams({ client_id: clientId, redirect_uri: 'http://localhost:9/cb', state: 's1', decision: 'deny' });
    const res = await fetch(`${emulator.url}/oauth/authorize/approve`, { method: 'POST', body: form, redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('s1');
  });
});

describe('webhooks', () => {
  it('admin changes produce events, delivered signed exactly as Stripe signs (verified by the SDK)', async () => {
    const received: Array<{ body: string; signature: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['stripe-signature']) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
      const post = (path: string, body: unknown): Promise<Response> =>
        fetch(`${emulator.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const endpoint = (await (await post('/webhooks', { url, secret: 'whsec_test_secret' })).json()) as { secret: string };
      expect(endpoint.secret).toBe('whsec_test_secret');

      const stripe = sdk('sk_test_webhooks00000000');
      const sub = (await stripe.subscriptions.list({ limit: 1 })).data[0]!;
      const cancel = (await (await post(`/subscriptions/${sub.id}/cancel`, { at_period_end: true })).json()) as Stripe.Event;
      expect(cancel.type).toBe('customer.subscription.updated');
      expect((await stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end).toBe(true);
      // The new event is listed by the Events API too, newest first.
      expect((await stripe.events.list({ limit: 1 })).data[0]!.id).toBe(cancel.id);

      const delivered = (await (await post('/webhooks/deliver', {})).json()) as { delivered: Array<{ status: number }> };
      expect(delivered.delivered).toEqual([expect.objectContaining({ status: 200 })]);
      expect(received).toHaveLength(1);
      const { body, signature } = received[0]!;
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const event = stripe.webhooks.constructEvent(body, signature, 'whsec_test_secret', 300, undefined, Math.floor(clock / 1000));
      expect(event.id).toBe(cancel.id);
      expect(() => stripe.webhooks.constructEvent(body, signature, 'whsec_wrong', 300, undefined, Math.floor(clock / 1000))).toThrow();
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
