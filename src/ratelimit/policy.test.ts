import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, isRateLimitSetting, mergePolicy, rateLimitHeaders, resolveLimits } from './policy.js';

const req = (query: Record<string, string> = {}) => ({ query }) as unknown as FastifyRequest;

describe('rate-limit policy', () => {
  it('makes authentication and exports stricter than reads, per IP and per subject', () => {
    const { auth, read, write, export: exp } = DEFAULT_POLICY;
    const perMinute = (b: { points: number; windowS: number }) => (b.points * 60) / b.windowS;
    expect(perMinute(auth.ip)).toBeLessThan(perMinute(write.ip));
    expect(perMinute(write.ip)).toBeLessThan(perMinute(read.ip));
    expect(perMinute(exp.ip)).toBeLessThan(perMinute(auth.ip));
    expect(perMinute(exp.subject!)).toBeLessThan(perMinute(write.subject!));
    expect(DEFAULT_POLICY.webhook.subject).toBeUndefined();
    expect(DEFAULT_POLICY.health.local).toBe(true);
  });

  it.each([
    ['read', true],
    ['health', true],
    ['nope', false],
    [undefined, false],
    [{ name: 'x', ip: { points: 5, windowS: 60 } }, true],
    [{ name: 'x', ip: { points: 0, windowS: 60 } }, false],
    [{ name: 'x', ip: { points: 5, windowS: 60 }, subject: { points: 1.5, windowS: 1 } }, false],
    [{ ip: { points: 5, windowS: 60 } }, false],
    [() => 'read', true],
  ])('%j is a valid setting: %s', (setting, ok) => {
    expect(isRateLimitSetting(setting)).toBe(ok);
  });

  it('resolves classes, explicit limits, request-dependent classes and unmatched routes', () => {
    expect(resolveLimits(DEFAULT_POLICY, 'auth', req())).toEqual({ name: 'auth', ...DEFAULT_POLICY.auth });
    const pick = (r: FastifyRequest) => ((r.query as { format?: string }).format ? 'export' : 'read');
    expect(resolveLimits(DEFAULT_POLICY, pick, req({ format: 'csv' })).name).toBe('export');
    expect(resolveLimits(DEFAULT_POLICY, pick, req()).name).toBe('read');
    expect(resolveLimits(DEFAULT_POLICY, { name: 'odd', ip: { points: 2, windowS: 9 } }, req())).toEqual({ name: 'route-odd', ip: { points: 2, windowS: 9 }, subject: undefined });
    expect(resolveLimits(DEFAULT_POLICY, undefined, req()).name).toBe('read');
  });

  it('merges overrides class by class', () => {
    const p = mergePolicy({ read: { ip: { points: 3, windowS: 10 } } });
    expect(p.read.ip).toEqual({ points: 3, windowS: 10 });
    expect(p.read.subject).toEqual(DEFAULT_POLICY.read.subject);
    expect(p.auth).toEqual(DEFAULT_POLICY.auth);
  });

  it('reports the bucket closest to running out, and every policy', () => {
    const headers = rateLimitHeaders([
      { limit: 100, remaining: 50, resetS: 30, windowS: 60 },
      { limit: 10, remaining: 2, resetS: 40, windowS: 60 },
    ]);
    expect(headers).toEqual({ 'ratelimit-limit': '10', 'ratelimit-remaining': '2', 'ratelimit-reset': '40', 'ratelimit-policy': '100;w=60, 10;w=60' });
    expect(rateLimitHeaders([])).toEqual({});
  });
});
