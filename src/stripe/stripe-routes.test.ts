// The Stripe connection routes through the real application (createApp, the Stripe emulator), on PGlite and
// PostgreSQL: every JSON answer is exactly its declared schema (src/stripe/stripe-schemas.ts), the allow-list
// that keeps tokens and webhook secrets out of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyticsApp, RESTRICTED_KEY, type AnalyticsApp } from '../analytics/test-support.js';
import { DB_KINDS } from '../../test/helpers/databases.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import {
  ConnectedSchema,
  ConnectionListSchema,
  DisconnectedSchema,
  KeyReplacedSchema,
  OAuthStartSchema,
  SyncQueuedSchema,
  WebhookSecretSetSchema,
} from './stripe-schemas.js';

const EXACT = { errors: [], keys: [], unchecked: [] };

describe.each(DB_KINDS)('Stripe connection answers on %s', (kind) => {
  let env: AnalyticsApp;
  beforeAll(async () => {
    env = await startAnalyticsApp(kind, {}, { MOWT_STRIPE_CLIENT_ID: 'ca_routesTest123', MOWT_STRIPE_APP_SECRET: 'sk_test_routesAppSecret' });
  }, 180_000);
  afterAll(async () => env?.dispose());

  it('answers each connection route with exactly its schema, and never a key or a secret', async () => {
    const admin = env.org.admin.browser;
    const base = `/api/orgs/${env.org.id}/stripe`;
    const conn = `${base}/connections/${env.connectionId}`;

    const secret = await admin.request('PUT', `${conn}/webhook-secret`, { body: { secret: 'whsec_routesTestSecret99' } });
    expect(secret.statusCode, secret.body).toBe(200);
    expect(secret.json()).toEqual({ endpointPath: `/webhooks/stripe/${env.connectionId}` });
    expect(shapeReport(WebhookSecretSetSchema, secret.json())).toEqual(EXACT);

    // The whole team sees the connections and their sync progress (a Viewer too).
    const list = await env.viewer.browser.request('GET', `${base}/connections`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ connections: [{ id: env.connectionId, kind: 'restricted_key', webhookSecretSet: true }] });
    expect(shapeReport(ConnectionListSchema, list.json())).toEqual(EXACT);
    expect(list.body).not.toContain(RESTRICTED_KEY.slice(8, -4));
    expect(list.body).not.toContain('routesTestSecret99');

    const replaced = await admin.request('PUT', `${conn}/key`, { body: { restrictedKey: 'rk_test_replacementKey5678' } });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toEqual({ connectionId: env.connectionId, tokenMasked: 'rk_test_…5678' });
    expect(shapeReport(KeyReplacedSchema, replaced.json())).toEqual(EXACT);

    const sync = await admin.post(`${conn}/sync`, {});
    expect(sync.statusCode).toBe(202);
    expect(shapeReport(SyncQueuedSchema, sync.json())).toEqual(EXACT);
    await env.settle();

    const start = await admin.request('GET', `${base}/oauth/start`);
    expect(start.statusCode, start.body).toBe(200);
    expect(shapeReport(OAuthStartSchema, start.json())).toEqual(EXACT);

    const gone = await admin.request('DELETE', conn);
    expect(gone.statusCode, gone.body).toBe(200);
    expect(shapeReport(DisconnectedSchema, gone.json())).toEqual(EXACT);

    const again = await admin.post(`${base}/connections`, { restrictedKey: 'rk_test_reconnectedKey4321' });
    expect(again.statusCode, again.body).toBe(201);
    expect(shapeReport(ConnectedSchema, again.json())).toEqual(EXACT);
    await env.settle();
  });
});
