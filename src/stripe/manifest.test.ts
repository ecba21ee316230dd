import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OAUTH_CALLBACK_PATH } from './start-oauth.js';

const manifestPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../stripe-app/stripe-app.json');

describe('Stripe App manifest', () => {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    stripe_api_access_type: string; permissions: { permission: string; purpose: string }[]; allowed_redirect_uris: string[];
  };

  it('uses OAuth and declares read permissions only, each with a purpose', () => {
    expect(manifest.stripe_api_access_type).toBe('oauth');
    expect(manifest.permissions.length).toBeGreaterThan(5);
    for (const p of manifest.permissions) {
      expect(p.permission).toMatch(/_read$/);
      expect(p.purpose.length).toBeGreaterThan(10);
    }
  });

  it('redirects only to Mowt’s OAuth callback over https', () => {
    for (const uri of manifest.allowed_redirect_uris) {
      expect(uri.startsWith('https://')).toBe(true);
      expect(new URL(uri).pathname).toBe(OAUTH_CALLBACK_PATH);
    }
  });
});
