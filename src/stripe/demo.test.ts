import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { withOrg } from '../db/tenant.js';
import { DEMO_LABEL, startDemoStripe } from './demo.js';
import { createStripeService } from './stripe-service.js';
import { stripeTestEnv, type StripeTestEnv } from './test-support.js';

describe('embedded demo Stripe', () => {
  let env: StripeTestEnv;
  let dataDir: string;
  beforeAll(async () => {
    env = await stripeTestEnv('pglite');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-demo-'));
  }, 60_000);
  afterAll(async () => {
    await env?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects the first organisation to the built-in emulator once, labelled as demo data, and starts syncing', async () => {
    const config = loadConfig({ MOWT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MOWT_DEMO_EMULATOR: 'true' });
    const stripe = createStripeService({ config, db: env.t.db, logger: env.deps.logger, clock: () => new Date(), crypto: env.deps.crypto });
    await stripe.start();
    const demo = await startDemoStripe({ config, db: env.t.db, stripe });
    try {
      expect(demo?.connectedOrgId).toBe(env.orgId);
      const rows = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_connections').selectAll().execute());
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ label: DEMO_LABEL, is_demo: true, kind: 'restricted_key', status: 'active' });
      const deadline = Date.now() + 20_000;
      let synced = 0;
      while (synced === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        const state = await withOrg(env.t.db, env.orgId, (tx) => tx.selectFrom('stripe_sync_state').select('objects_synced').where('object_type', '=', 'customers').executeTakeFirst());
        synced = Number(state?.objects_synced ?? 0);
      }
      expect(synced).toBeGreaterThan(0);
      // A restart with a connection in place starts the emulator again but connects nothing new.
      const again = await startDemoStripe({ config, db: env.t.db, stripe });
      expect(again?.connectedOrgId).toBeNull();
      await again?.close();
    } finally {
      await stripe.stop();
      await demo?.close();
    }
  }, 60_000);

  it('stays off when a Stripe API base is configured or the demo is disabled', async () => {
    const off = loadConfig({ MOWT_DATA_DIR: dataDir, MOWT_DEMO_EMULATOR: 'false' });
    const stripe = createStripeService({ config: off, db: env.t.db, logger: env.deps.logger, clock: () => new Date(), crypto: env.deps.crypto });
    expect(await startDemoStripe({ config: off, db: env.t.db, stripe })).toBeNull();
    const external = loadConfig({ MOWT_DATA_DIR: dataDir, MOWT_DEMO_EMULATOR: 'true', MOWT_STRIPE_API_BASE: 'http://127.0.0.1:9' });
    expect(await startDemoStripe({ config: external, db: env.t.db, stripe })).toBeNull();
  });
});
