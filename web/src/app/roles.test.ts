import { describe, expect, it } from 'vitest';
import { navFor, switchOrgPath } from '../layout/nav-items.js';
import { can, parseRole } from './roles.js';
import { describeUserAgent } from './user-agent.js';
import { groupSecret, svgDataUrl } from './svg-data-url.js';

describe('what each role sees', () => {
  it('offers member management and the audit log to Admins only', () => {
    const labels = (role: Parameters<typeof navFor>[0]) => navFor(role).flatMap((g) => g.items.map((i) => i.label));
    expect(labels('admin')).toEqual(['Overview', 'MRR', 'Churn', 'Cohorts', 'Trials', 'Failed payments', 'Cash & refunds', 'Customers', 'Plans', 'Team', 'Stripe', 'Exchange rates', 'Audit log', 'Security events', 'Staff access', 'API tokens', 'Sessions', 'Security', 'Notifications', 'Billing', 'Data & privacy']);
    expect(labels('member')).not.toContain('Team');
    expect(labels('viewer')).toEqual(['Overview', 'MRR', 'Churn', 'Cohorts', 'Trials', 'Failed payments', 'Cash & refunds', 'Customers', 'Plans', 'Stripe', 'Exchange rates', 'Sessions', 'Security', 'Notifications']);
    expect(can('admin', 'manageStripe')).toBe(true);
    expect(can('member', 'manageStripe')).toBe(false);
    expect(labels(undefined)).toEqual([]);
    expect(can('member', 'export')).toBe(true);
    expect(can('viewer', 'export')).toBe(false);
  });

  it('parses roles case-insensitively and refuses unknown ones', () => {
    expect(parseRole('Admin')).toBe('admin');
    expect(parseRole('owner')).toBeUndefined();
    expect(parseRole(3)).toBeUndefined();
  });

  it('keeps the page when switching organisation', () => {
    expect(switchOrgPath('/orgs/a/settings/team', 'b')).toBe('/orgs/b/settings/team');
    expect(switchOrgPath('/somewhere', 'b')).toBe('/orgs/b/overview');
  });
});

describe('small display helpers', () => {
  it('names devices from user agents', () => {
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 Edg/130.0')).toBe(
      'Edge on Windows',
    );
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1')).toBe(
      'Safari on iOS',
    );
    expect(describeUserAgent(undefined)).toBe('Unknown device');
  });

  it('encodes SVG (including non-ASCII) as an inert data URL', () => {
    const url = svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg"><title>Mowt – QR</title></svg>');
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1] ?? '', 'base64').toString('utf8')).toContain('Mowt – QR');
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
  });
});
