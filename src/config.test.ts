import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const PROD_OK = {
  MOWT_ENV: 'production',
  DATABASE_URL: 'postgres://mowt@db.internal:5432/mowt?sslmode=verify-full',
  KMS_KEY_ID: 'arn:aws:kms:eu-west-2:111122223333:key/abc',
  KMS_REPLICA_REGIONS: 'eu-west-1',
  KMS_TASK_ROLE_ARN: 'arn:aws:iam::111122223333:role/mowt-production-app-task',
  KMS_BREAK_GLASS_ROLE_ARN: 'arn:aws:iam::111122223333:role/mowt-production-break-glass',
  TLS_CERT_FILE: '/run/secrets/tls.crt',
  TLS_KEY_FILE: '/run/secrets/tls.key',
  MOWT_BASE_URL: 'https://app.mowt.com',
  MOWT_STRIPE_API_BASE: 'https://api.stripe.com',
};

describe('loadConfig', () => {
  it('uses the embedded defaults', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.port).toBe(8443);
    expect(c.httpPort).toBe(8080);
    expect(c.database).toMatchObject({ kind: 'pglite' });
    expect(c.baseUrl).toBe('https://localhost:8443');
    expect(c.demoEmulator).toBe(true);
  });

  it('chooses PostgreSQL when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h/db' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u@h/db', appUrl: undefined, poolSize: 10 });
  });

  it.each([
    [{ PORT: 'abc' }, /^invalid configuration: PORT must be integer \(got "abc"\)$/],
    [{ PORT: '70000' }, /^invalid configuration: PORT /],
    [{ MOWT_ENV: 'prod' }, /^invalid configuration: MOWT_ENV must be one of development, staging, production/],
    [{ MOWT_BASE_URL: 'http://insecure.example' }, /MOWT_BASE_URL/],
    [{ MOWT_TRUST_PROXY: '10.0.0.1, not-an-ip' }, /MOWT_TRUST_PROXY entry "not-an-ip"/],
    [{ TLS_CERT_FILE: '/x.crt' }, /TLS_CERT_FILE and TLS_KEY_FILE must be set together/],
  ])('refuses %j with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('accepts a complete production configuration', () => {
    const c = loadConfig(PROD_OK);
    expect(c.env).toBe('production');
    expect(c.demoEmulator).toBe(false);
  });

  it.each([
    ['the embedded database', { DATABASE_URL: undefined }, /DATABASE_URL is required/],
    ['a database without verified TLS', { DATABASE_URL: 'postgres://mowt@db/mowt?sslmode=require' }, /sslmode=verify-full/],
    ['the development keyring', { KMS_KEY_ID: undefined }, /KMS_KEY_ID is required/],
    ['organisation keys under the default key policy', { KMS_BREAK_GLASS_ROLE_ARN: undefined }, /KMS_TASK_ROLE_ARN and KMS_BREAK_GLASS_ROLE_ARN/],
    ['organisation keys only in one region', { KMS_REPLICA_REGIONS: undefined }, /KMS_REPLICA_REGIONS is required/],
    ['a replica region that is not a region', { KMS_REPLICA_REGIONS: 'eu-west-1,moon' }, /KMS_REPLICA_REGIONS/],
    ['a self-signed development certificate', { TLS_CERT_FILE: undefined, TLS_KEY_FILE: undefined }, /TLS_CERT_FILE/],
    ['the demo emulator', { MOWT_DEMO_EMULATOR: 'true' }, /demo Stripe emulator/],
    ['a Stripe emulator URL', { MOWT_STRIPE_API_BASE: 'http://127.0.0.1:12111' }, /must point at Stripe/],
  ])('production refuses %s', (_what, change, message) => {
    const env: Record<string, string | undefined> = { ...PROD_OK, ...change };
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('believes X-Forwarded-For only from listed proxies', () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ MOWT_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });
});
