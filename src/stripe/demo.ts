// `npm start` on embedded defaults: the built-in emulator serves a generated `demo` business on a free local
// port, and the first organisation is connected to it as a clearly labelled demo connection, so a newcomer
// sees real-looking dashboards at once. Development only: production refuses MOWT_DEMO_EMULATOR (config.ts).
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { allConnections } from './connections.js';
import { connectRestrictedKey } from './connect-restricted-key.js';
import type { StripeService } from './stripe-service.js';

export const DEMO_LABEL = 'Demo data (built-in Stripe emulator)';
// Any well-formed test key works against the emulator; this one only ever reaches it.
const DEMO_KEY = 'rk_test_mowtDemoReadOnly0000';

export interface DemoStripe {
  emulator: RunningEmulator;
  connectedOrgId: string | null;
  close(): Promise<void>;
}

export async function startDemoStripe(services: { config: Config; db: Db; stripe: StripeService }): Promise<DemoStripe | null> {
  const { config, db, stripe } = services;
  // An explicitly configured Stripe (or external emulator) always wins over the demo.
  if (!config.demoEmulator || config.stripeApiBase) return null;
  const emulator = await startEmulator({ business: 'demo', seed: 1, port: 0, host: '127.0.0.1' });
  stripe.useEmulator(emulator.url, emulator.oauthClient);
  let connectedOrgId: string | null = null;
  if ((await allConnections(db)).length === 0) {
    // No tenant is in scope at start-up; the operator connection lists organisations (development only).
    const first = await db.owner.selectFrom('organisations').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    if (first) {
      await connectRestrictedKey(stripe.deps, { orgId: first.id, userId: null, restrictedKey: DEMO_KEY, label: DEMO_LABEL, isDemo: true });
      connectedOrgId = first.id;
    }
  }
  return { emulator, connectedOrgId, close: () => emulator.close() };
}
