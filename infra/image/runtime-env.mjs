// Turns the secrets ECS injects (separate fields, as Secrets Manager stores them) into what Mowt reads:
// DATABASE_URL and REDIS_URL with URL-encoded credentials and TLS required, and the target certificate as
// files under /tmp (the only writable path; 0600). The raw secret variables are removed from the
// environment afterwards, so child processes and crash dumps do not carry them twice.
import fs from 'node:fs';
import path from 'node:path';

/** Where the image keeps Amazon RDS's CA bundle (the Dockerfile downloads it at build time). */
export const RDS_CA_BUNDLE = '/etc/ssl/certs/rds-global-bundle.pem';
const CONSUMED = ['DB_USERNAME', 'DB_PASSWORD', 'REDIS_AUTH_TOKEN', 'MOWT_TLS_CERT_PEM', 'MOWT_TLS_KEY_PEM'];

/**
 * Mutates `env` in place and returns the names it set. Values already present (a local `docker run` with
 * DATABASE_URL) win over composed ones.
 */
export function prepareEnvironment(env, { caBundle = RDS_CA_BUNDLE, writeFile = writePrivate } = {}) {
  const set = [];
  if (!env.DATABASE_URL && env.DB_HOST && env.DB_USERNAME && env.DB_PASSWORD) {
    const user = encodeURIComponent(env.DB_USERNAME);
    const password = encodeURIComponent(env.DB_PASSWORD);
    const db = encodeURIComponent(env.DB_NAME || 'mowt');
    const params = new URLSearchParams({ sslmode: 'verify-full', sslrootcert: caBundle });
    env.DATABASE_URL = `postgresql://${user}:${password}@${env.DB_HOST}:${env.DB_PORT || '5432'}/${db}?${params}`;
    set.push('DATABASE_URL');
  }
  if (!env.REDIS_URL && env.REDIS_HOST && env.REDIS_AUTH_TOKEN) {
    env.REDIS_URL = `rediss://:${encodeURIComponent(env.REDIS_AUTH_TOKEN)}@${env.REDIS_HOST}:${env.REDIS_PORT || '6379'}`;
    set.push('REDIS_URL');
  }
  if (env.MOWT_TLS_CERT_PEM && env.MOWT_TLS_KEY_PEM && env.TLS_CERT_FILE && env.TLS_KEY_FILE) {
    writeFile(env.TLS_CERT_FILE, env.MOWT_TLS_CERT_PEM);
    writeFile(env.TLS_KEY_FILE, env.MOWT_TLS_KEY_PEM);
    set.push('TLS_CERT_FILE', 'TLS_KEY_FILE');
  }
  for (const name of CONSUMED) delete env[name];
  return set;
}

function writePrivate(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
