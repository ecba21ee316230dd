// security.txt (RFC 9116), the policy it names, SECURITY.md and the acknowledgements, through the real app.
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { PROJECT_ROOT } from '../paths.js';
import { AcknowledgementsViewSchema } from './acknowledgements.js';
import { DISCLOSURE_POLICY } from './disclosure-policy.js';
import { disclosureRoutes } from './disclosure-routes.js';
import { SECURITY_TXT_LIFETIME_DAYS, securityTxt } from './security-txt.js';

function fields(text: string): Map<string, string> {
  return new Map(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
}

describe('security.txt', () => {
  it('has every field RFC 9116 names, Expires less than a year from now', () => {
    const now = new Date('2026-11-25T12:00:00.123Z');
    const text = securityTxt({ contact: 'mailto:security@mowt.com', baseUrl: 'https://app.mowt.com', now });
    const f = fields(text);
    expect([...f.keys()]).toEqual(['Contact', 'Expires', 'Policy', 'Acknowledgments', 'Preferred-Languages', 'Canonical']);
    expect(f.get('Contact')).toBe('mailto:security@mowt.com');
    expect(f.get('Expires')).toBe('2027-05-24T12:00:00Z');
    const expires = new Date(f.get('Expires') as string).getTime();
    expect(expires - now.getTime()).toBeLessThan(365 * 24 * 3600 * 1000);
    expect(expires).toBeGreaterThan(now.getTime());
    expect(SECURITY_TXT_LIFETIME_DAYS).toBeLessThan(365);
    expect(f.get('Policy')).toBe('https://app.mowt.com/security/policy.txt');
    expect(f.get('Acknowledgments')).toBe('https://app.mowt.com/security/acknowledgements');
    expect(f.get('Preferred-Languages')).toBe('en');
    expect(f.get('Canonical')).toBe('https://app.mowt.com/.well-known/security.txt');
    // The RFC's line format: "Field: value", CRLF or LF, and every URI https.
    for (const [k, v] of f) if (k !== 'Contact' && k !== 'Expires' && k !== 'Preferred-Languages') expect(v).toMatch(/^https:\/\//);
  });

  it('SECURITY.md carries the served policy word for word, with the bounty ranges of the security page', () => {
    const md = fs.readFileSync(path.join(PROJECT_ROOT, 'SECURITY.md'), 'utf8');
    expect(md).toContain(DISCLOSURE_POLICY);
    for (const range of ['$500 – $2,000', '$100 – $500', '$50 – $100', '24 hours', '7 days']) expect(DISCLOSURE_POLICY).toContain(range);
  });

  describe('served by the application', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ MOWT_BASE_URL: 'https://app.mowt.test', MOWT_SECURITY_CONTACT: 'mailto:disclose@mowt.test' });
    });
    afterAll(async () => {
      await app?.stop();
    });

    it('answers /.well-known/security.txt as text/plain with configured values and a fresh Expires', async () => {
      const res = await app.server.inject({ method: 'GET', url: '/.well-known/security.txt' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      const f = fields(res.body);
      expect(f.get('Contact')).toBe('mailto:disclose@mowt.test');
      expect(f.get('Canonical')).toBe('https://app.mowt.test/.well-known/security.txt');
      const expires = new Date(f.get('Expires') as string).getTime();
      expect(expires - Date.now()).toBeGreaterThan(150 * 24 * 3600 * 1000);
      expect(expires - Date.now()).toBeLessThan(365 * 24 * 3600 * 1000);
      expect(res.headers['ratelimit-limit']).toBeDefined();
    });

    it('serves the policy it points to and the acknowledgements list', async () => {
      const policy = await app.server.inject({ method: 'GET', url: '/security/policy.txt' });
      expect(policy.statusCode).toBe(200);
      expect(policy.body).toBe(DISCLOSURE_POLICY);
      const acks = await app.server.inject({ method: 'GET', url: '/api/security/acknowledgements' });
      expect(acks.statusCode).toBe(200);
      expect(acks.json()).toMatchObject({ acknowledgements: expect.any(Array), policy: '/security/policy.txt', contact: 'mailto:disclose@mowt.test' });
    });
  });
});

describe('the acknowledgements answer', () => {
  it('sends exactly its schema\'s fields, newest month first', async () => {
    const app = Fastify();
    const acknowledgements = [
      { name: 'A. Researcher', month: '2026-03', summary: 'Reflected XSS in a filter label' },
      { name: 'B. Hacker', month: '2026-09', summary: 'Session fixation', url: 'https://example.com/b' },
    ];
    await app.register(disclosureRoutes({ contact: 'mailto:x@mowt.test', baseUrl: () => 'https://app.mowt.test', clock: () => new Date(), acknowledgements }));
    const res = await app.inject({ method: 'GET', url: '/api/security/acknowledgements' });
    expect(res.statusCode).toBe(200);
    expect(shapeReport(AcknowledgementsViewSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // Every field of every entry (a field the schema left out would be dropped silently), newest first.
    expect(res.json()).toEqual({ acknowledgements: [acknowledgements[1], acknowledgements[0]], policy: '/security/policy.txt', contact: 'mailto:x@mowt.test' });
    await app.close();
  });
});
