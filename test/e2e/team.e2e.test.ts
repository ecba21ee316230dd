// Issue 4, end to end in Chromium against the real Mowt (createApp: HTTPS, PGlite, every hook): an
// operator creates the first Admin with the CLI, then the browser scenario of support/team-scenario.ts
// runs — Admin enrols TOTP (code computed here from the secret the page shows), invites a Viewer, the
// Viewer accepts from the mailed link, enrols 2FA and cannot reach member management. axe checks every page.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startRealApp, type RealApp } from './support/real-app.js';
import { ADMIN, ORG, runTeamScenario } from './support/team-scenario.js';

let real: RealApp;

beforeAll(async () => {
  real = await startRealApp({ prefix: 'team', admin: ADMIN, org: ORG });
  // The CLI starts through tsx and hashes at bcrypt cost 12; the web build takes a few seconds more.
}, 240_000);

afterAll(async () => {
  await real?.close();
});

describe('team e2e (issue 4)', () => {
  it('Admin enrols 2FA and invites a Viewer, who enrols 2FA and cannot reach member management', async () => {
    await runTeamScenario({ browser: real.browser, baseUrl: real.baseUrl, dataDir: real.dataDir });
    // Two sign-ins and an account creation hash at bcrypt cost 12 on top of the browser work.
  }, 240_000);
});
