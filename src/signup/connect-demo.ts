// "Explore the demo data": a new organisation connects to the deployment's built-in demo emulator (only
// where one runs — development/demo deployments; production refuses MOWT_DEMO_EMULATOR), through the
// same read-only restricted-key connection as a real account, labelled as demo data.
import { connectRestrictedKey } from '../stripe/connect-restricted-key.js';
import { DEMO_LABEL, type StripeService } from '../stripe/index.js';
import type { Config } from '../config.js';
import { HttpProblem } from '../http/problem.js';

// Any well-formed test key reads the emulator; this one never reaches Stripe (no emulator → refused above).
const DEMO_KEY = 'rk_test_mowtSignupDemoReadOnly0';

/** Only while the built-in demo emulator is actually serving (npm start pointed the Stripe client at it). */
export function demoAvailable(config: Config, stripe: StripeService): boolean {
  return config.demoEmulator && !config.stripeApiBase && stripe.deps.apiBase !== undefined;
}

export async function connectDemoData(deps: { config: Config; stripe: StripeService }, orgId: string, userId: string): Promise<{ connectionId: string }> {
  if (!demoAvailable(deps.config, deps.stripe)) throw new HttpProblem(404, 'this deployment has no demo data: connect your Stripe account instead', { code: 'demo_unavailable' });
  return connectRestrictedKey(deps.stripe.deps, { orgId, userId, restrictedKey: DEMO_KEY, label: DEMO_LABEL, isDemo: true });
}
