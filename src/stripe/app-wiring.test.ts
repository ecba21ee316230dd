import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';

describe('Stripe routes in the assembled app', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MOWT_STRIPE_WEBHOOK_SECRET: 'whsec_appWideSecret1234' });
  }, 60_000);
  afterAll(async () => app?.stop());

  it('webhooks skip session and CSRF (the signature is their authentication) and refuse bad signatures', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/webhooks/stripe', payload: '{"id":"evt_1","object":"event"}',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toBe('webhook signature verification failed');
  });

  it('connection routes need a signed-in member, the OAuth callback a session', async () => {
    const orgId = '00000000-0000-4000-8000-000000000001';
    expect((await app.server.inject({ method: 'GET', url: `/api/orgs/${orgId}/stripe/connections` })).statusCode).toBe(401);
    expect((await app.server.inject({ method: 'GET', url: '/api/stripe/oauth/callback?code=ac_1&state=x' })).statusCode).toBe(401);
  });
});
