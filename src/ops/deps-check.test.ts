import { describe, expect, it } from 'vitest';
import { auditError, isStale, latestRelease, severeAdvisories } from './deps-check.js';

describe('deps:check rules', () => {
  it('fails only on high and critical advisories', () => {
    const report = {
      vulnerabilities: {
        lodash: { severity: 'critical', via: [{ title: 'Prototype pollution' }], fixAvailable: true },
        minimist: { severity: 'high', via: ['optimist'], fixAvailable: false },
        debug: { severity: 'moderate', via: [{ title: 'ReDoS' }], fixAvailable: true },
        tiny: { severity: 'low', via: [], fixAvailable: false },
      },
    };
    expect(severeAdvisories(report)).toEqual([
      { name: 'lodash', severity: 'critical', via: ['Prototype pollution'], fixAvailable: true },
      { name: 'minimist', severity: 'high', via: ['optimist'], fixAvailable: false },
    ]);
    expect(severeAdvisories({ vulnerabilities: {} })).toEqual([]);
    expect(auditError(report)).toBeNull();
  });

  it('recognises an audit endpoint that did not answer (never a pass)', () => {
    expect(auditError({ error: { code: 'ENOAUDIT', summary: 'Your configured registry does not support audit requests' } })).toBe('ENOAUDIT: Your configured registry does not support audit requests');
    expect(auditError({})).toBe('npm audit returned no report');
  });

  it('flags a package with no stable release in two years', () => {
    const time = { created: '2015-01-01T00:00:00Z', modified: '2026-06-01T00:00:00Z', '1.0.0': '2015-01-01T00:00:00Z', '1.2.0': '2024-03-01T00:00:00Z', '2.0.0-beta.1': '2026-05-01T00:00:00Z' };
    const last = latestRelease(time);
    expect(last?.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(isStale(last, new Date('2026-02-28T23:59:59Z'))).toBe(false);
    expect(isStale(last, new Date('2026-03-01T00:00:00Z'))).toBe(true);
    expect(isStale(null, new Date())).toBe(true);
  });
});
