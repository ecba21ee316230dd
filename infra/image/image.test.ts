// The image's two scripts, run for real: the entrypoint's environment preparation and the health check
// against a real HTTPS server with a self-signed certificate.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { prepareEnvironment as prepare } from './runtime-env.mjs';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('runtime-env', () => {
  it('composes DATABASE_URL and REDIS_URL with encoded credentials and TLS required, writes the PEMs 0600, drops the raw secrets', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-image-'));
    dirs.push(dir);
    const env: Record<string, string | undefined> = {
      DB_HOST: 'db.cluster.eu-west-2.rds.amazonaws.com', DB_PORT: '5432', DB_NAME: 'mowt', DB_USERNAME: 'mowt_owner', DB_PASSWORD: 'p@ss/wo:rd?#',
      REDIS_HOST: 'redis.cache.amazonaws.com', REDIS_PORT: '6379', REDIS_AUTH_TOKEN: 'tok en+/',
      MOWT_TLS_CERT_PEM: '-----BEGIN CERTIFICATE-----\nx\n', MOWT_TLS_KEY_PEM: '-----BEGIN PRIVATE KEY-----\ny\n',
      TLS_CERT_FILE: path.join(dir, 'tls', 'cert.pem'), TLS_KEY_FILE: path.join(dir, 'tls', 'key.pem'),
    };
    expect(prepare(env, { caBundle: '/etc/ssl/certs/rds-global-bundle.pem' })).toEqual(['DATABASE_URL', 'REDIS_URL', 'TLS_CERT_FILE', 'TLS_KEY_FILE']);
    const db = new URL(env.DATABASE_URL!);
    expect(decodeURIComponent(db.password)).toBe('p@ss/wo:rd?#');
    expect(db.hostname).toBe('db.cluster.eu-west-2.rds.amazonaws.com');
    expect(db.searchParams.get('sslmode')).toBe('verify-full');
    expect(db.searchParams.get('sslrootcert')).toBe('/etc/ssl/certs/rds-global-bundle.pem');
    const redis = new URL(env.REDIS_URL!);
    expect(redis.protocol).toBe('rediss:');
    expect(decodeURIComponent(redis.password)).toBe('tok en+/');
    expect(fs.readFileSync(env.TLS_KEY_FILE!, 'utf8')).toContain('PRIVATE KEY');
    expect(fs.statSync(env.TLS_KEY_FILE!).mode & 0o777).toBe(0o600);
    for (const name of ['DB_PASSWORD', 'DB_USERNAME', 'REDIS_AUTH_TOKEN', 'MOWT_TLS_KEY_PEM', 'MOWT_TLS_CERT_PEM']) expect(env[name]).toBeUndefined();
    // What it composes passes Mowt's own production check (TLS with sslmode=verify-full).
    expect(() => loadConfig({ ...env, MOWT_ENV: 'production', KMS_KEY_ID: 'arn:aws:kms:eu-west-2:1:key/x', KMS_REPLICA_REGIONS: 'eu-west-1', KMS_TASK_ROLE_ARN: 'arn:aws:iam::111122223333:role/task', KMS_BREAK_GLASS_ROLE_ARN: 'arn:aws:iam::111122223333:role/glass', MOWT_BASE_URL: 'https://app.mowt.example', MOWT_DEMO_EMULATOR: 'false', MOWT_BACKUP_REGION: 'eu-west-1' } as Record<string, string>)).not.toThrow();
  });

  it('leaves an explicit DATABASE_URL alone', () => {
    const env: Record<string, string | undefined> = { DATABASE_URL: 'postgres://local/x', DB_HOST: 'h', DB_USERNAME: 'u', DB_PASSWORD: 'p' };
    expect(prepare(env)).toEqual([]);
    expect(env.DATABASE_URL).toBe('postgres://local/x');
  });
});

describe('healthcheck.mjs', () => {
  const runCheck = (port: number) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.join(import.meta.dirname, 'healthcheck.mjs')], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
      child.on('exit', resolve);
    });

  it('exits 0 on a 200 from /healthz over self-signed HTTPS and 1 otherwise', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    let status = 200;
    const paths: string[] = [];
    const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await runCheck(port)).toBe(0);
      status = 503;
      expect(await runCheck(port)).toBe(1);
      expect(paths).toEqual(['/healthz', '/healthz']);
    } finally {
      server.close();
    }
    expect(await runCheck(port)).toBe(1);
  });
});
