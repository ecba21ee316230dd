// Typed, validated configuration read once from the environment at start-up.
// A bad value stops start-up with one clear line (ConfigError), never a stack trace.
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { DEFAULT_PLAN_CATALOG, parsePlanCatalog, type PlanCatalog } from './billing/plans.js';

export const EnvSchema = Type.Object({
  MOWT_ENV: Type.Union([Type.Literal('development'), Type.Literal('staging'), Type.Literal('production')], {
    default: 'development',
  }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8443 }),
  HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  MOWT_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  // What this process does (docs/operations.md, Scaling): serve HTTP and run jobs (all), only serve (web), only run jobs (worker).
  MOWT_ROLE: Type.Union([Type.Literal('all'), Type.Literal('web'), Type.Literal('worker')], { default: 'all' }),
  // Public https origin used in redirects and mailed links; never derived from the Host header.
  MOWT_BASE_URL: Type.Optional(Type.String({ pattern: '^https://[^/?#]+$' })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  // Optional separate, unprivileged login for the app; DATABASE_URL (owner) then only runs migrations.
  DATABASE_APP_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  MOWT_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  // Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed.
  MOWT_TRUST_PROXY: Type.String({ default: '' }),
  TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  MOWT_BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024, default: 1024 * 1024 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  KMS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  // Per-organisation KMS keys (src/crypto/aws-kms.ts): regions they are replicated to (multi-Region keys, the
  // disaster-recovery region in production), and the two roles their key policy lets decrypt.
  KMS_REPLICA_REGIONS: Type.String({ pattern: '^([a-z]{2}(-[a-z]+)+-[0-9](,[a-z]{2}(-[a-z]+)+-[0-9])*)?$', default: '' }),
  KMS_TASK_ROLE_ARN: Type.Optional(Type.String({ pattern: '^arn:aws:iam::[0-9]{12}:role/[\\w+=,.@/-]+$' })),
  KMS_BREAK_GLASS_ROLE_ARN: Type.Optional(Type.String({ pattern: '^arn:aws:iam::[0-9]{12}:role/[\\w+=,.@/-]+$' })),
  // Seals the development keyring's key files: 32 random bytes, base64 or hex (never echoed in errors).
  MOWT_MASTER_KEY: Type.Optional(Type.String({ minLength: 1 })),
  MOWT_STRIPE_API_BASE: Type.Optional(Type.String({ pattern: '^https?://' })),
  // The Stripe App (OAuth): its client id and secret (used only for token calls) and the app-wide webhook secret.
  MOWT_STRIPE_CLIENT_ID: Type.Optional(Type.String({ pattern: '^ca_' })),
  MOWT_STRIPE_APP_SECRET: Type.Optional(Type.String({ minLength: 10 })),
  MOWT_STRIPE_WEBHOOK_SECRET: Type.Optional(Type.String({ pattern: '^whsec_' })),
  // Client-side Stripe requests per second per connection (Stripe allows 100 reads/s).
  MOWT_STRIPE_RATE_LIMIT: Type.Integer({ minimum: 1, maximum: 1000, default: 95 }),
  // Stripe allows test-mode keys 25 requests/s, and each endpoint 25/s by default (0: no endpoint limit).
  MOWT_STRIPE_TEST_RATE_LIMIT: Type.Integer({ minimum: 1, maximum: 1000, default: 23 }),
  MOWT_STRIPE_ENDPOINT_RATE_LIMIT: Type.Integer({ minimum: 0, maximum: 1000, default: 24 }),
  MOWT_STRIPE_POLL_SECONDS: Type.Integer({ minimum: 5, maximum: 86400, default: 60 }),
  // Scale-out job timing (src/stripe/sync-scheduler.ts): a sync job stops after its budget and re-queues its
  // connection; a job still active past its expiry belongs to a dead worker and the queue's maintenance pass
  // (every MOWT_QUEUE_MAINTENANCE_SECONDS) hands it to another. Expiry defaults to 2 × budget + 60 s.
  MOWT_SYNC_JOB_BUDGET_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 600 }),
  MOWT_SYNC_JOB_EXPIRE_SECONDS: Type.Optional(Type.Integer({ minimum: 2, maximum: 86400 })),
  MOWT_QUEUE_MAINTENANCE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 120 }),
  MOWT_DEMO_EMULATOR: Type.Optional(Type.Boolean()),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Mowt <no-reply@localhost>' }),
  // Shared rate-limit counters for all instances; memory counters per process when unset.
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  // Off by default: checking passwords against the k-anonymity breach API needs outbound HTTPS.
  MOWT_BREACH_CHECK: Type.Boolean({ default: false }),
  // Vulnerability disclosure contact for /.well-known/security.txt (RFC 9116): a mailto: or https: URI.
  MOWT_SECURITY_CONTACT: Type.String({ pattern: '^(mailto:[^\\s@]+@[^\\s@]+|https://\\S+)$', default: 'mailto:security@mowt.com' }),
  // Error tracking (src/ops/sentry.ts): events are scrubbed of personal data and secrets before they leave.
  SENTRY_DSN: Type.Optional(Type.String({ pattern: '^https?://' })),
  // Prometheus metrics listener (src/ops/prometheus.ts): 'off' or host:port, e.g. 127.0.0.1:9464 (never public).
  MOWT_METRICS_LISTEN: Type.String({ pattern: '^(off|[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5})$', default: 'off' }),
  // Backups (docs/operations.md): folder, snapshot interval in minutes (a divisor of a day, ≥ 15), regions.
  MOWT_BACKUP_DIR: Type.Optional(Type.String({ minLength: 1 })),
  MOWT_BACKUP_INTERVAL: Type.Union([15, 30, 60, 120, 180, 240, 360, 480, 720, 1440].map((m) => Type.Literal(m)), { default: 1440 }),
  MOWT_PRIMARY_REGION: Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$', default: 'eu-west-2' }),
  MOWT_BACKUP_REGION: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$' })),
  MOWT_PG_BIN_DIR: Type.Optional(Type.String({ minLength: 1 })),
  // Security operations (docs/security-operations.md): Mowt's on-call channel for cross-organisation alerts,
  // and the header a trusted proxy/CDN sets with the viewer's country (e.g. cloudfront-viewer-country).
  MOWT_ONCALL_EMAIL: Type.Optional(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$' })),
  MOWT_ONCALL_WEBHOOK_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  MOWT_ONCALL_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  MOWT_COUNTRY_HEADER: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' })),
  // Self-serve sign-up (open) or operator-created organisations only (closed); Mowt's own billing account.
  MOWT_SIGNUP: Type.Union([Type.Literal('open'), Type.Literal('closed')], { default: 'open' }),
  MOWT_BILLING_STRIPE_SECRET_KEY: Type.Optional(Type.String({ pattern: '^(sk|rk)_(test|live)_' })),
  MOWT_BILLING_WEBHOOK_SECRET: Type.Optional(Type.String({ pattern: '^whsec_' })),
  MOWT_BILLING_API_BASE: Type.Optional(Type.String({ pattern: '^https?://' })),
  MOWT_BILLING_PLANS: Type.Optional(Type.String({ minLength: 2 })),
  // S3 backup destination (instead of the folder): bucket in MOWT_BACKUP_REGION, key prefix, S3-compatible endpoint.
  MOWT_BACKUP_S3_BUCKET: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
  MOWT_BACKUP_S3_PREFIX: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9!_.*\'()/-]*/$', maxLength: 200 })),
  MOWT_BACKUP_S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
});
export type Env = Static<typeof EnvSchema>;

export interface Config {
  env: Env['MOWT_ENV'];
  port: number;
  httpPort: number;
  host: string;
  dataDir: string;
  /** all: HTTP and jobs; web: HTTP only (jobs are sent to the queue); worker: jobs only (`mowt worker`). */
  role: 'all' | 'web' | 'worker';
  /** Public https origin. When not configured it follows the bound port (see App.listen). */
  baseUrl: string;
  baseUrlConfigured: boolean;
  database: { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string; appUrl?: string; poolSize: number };
  trustProxy: string[];
  tls: { certFile?: string; keyFile?: string };
  bodyLimit: number;
  logLevel: string;
  kmsKeyId?: string;
  kmsReplicaRegions: string[];
  kmsPrincipals?: { taskRoleArn: string; breakGlassRoleArn: string };
  masterKey?: string;
  stripeApiBase?: string;
  stripeApp?: { clientId: string; clientSecret: string };
  stripeWebhookSecret?: string;
  stripeRateLimit: number;
  stripeTestRateLimit: number;
  /** null: no per-endpoint limit */
  stripeEndpointRateLimit: number | null;
  stripePollSeconds: number;
  /** Sync-job time box, its queue expiry (> budget) and pg-boss's maintenance interval, in seconds. */
  jobs: { syncBudgetSeconds: number; syncExpireSeconds: number; maintenanceSeconds: number };
  demoEmulator: boolean;
  smtpUrl?: string;
  mailFrom: string;
  redisUrl?: string;
  breachCheck: boolean;
  securityContact: string;
  sentryDsn?: string;
  /** Prometheus listener, or null when off. */
  metricsListen: { host: string; port: number } | null;
  /** Where cross-organisation security alerts go (src/security-events). */
  oncall: { email?: string; webhookUrl?: string; webhookSecret?: string };
  /** Lower-case header carrying the viewer's country, believed only from MOWT_TRUST_PROXY proxies. */
  countryHeader?: string;
  backup: { dir: string; intervalMinutes: number; primaryRegion: string; region?: string; pgBinDir?: string; s3?: { bucket: string; region: string; prefix?: string; endpoint?: string } };
  signup: 'open' | 'closed';
  /** Mowt's own Stripe account (src/billing); never used by the read-only client of src/stripe. */
  billing?: { secretKey: string; webhookSecret: string; apiBase?: string };
  billingPlans: PlanCatalog;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const NAMES = Object.keys(EnvSchema.properties) as (keyof Env)[];

/** Reads and validates configuration from an environment-like record. Throws ConfigError with one line. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const name of NAMES) {
    const v = source[name];
    if (v !== undefined && v !== '') raw[name] = v;
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  const firstError = Value.Errors(EnvSchema, converted)[0];
  if (firstError) {
    const field = firstError.instancePath.replace(/^\//, '').split('/')[0] || 'environment';
    const given = field in raw ? ` (got ${JSON.stringify(String(raw[field]))})` : '';
    throw new ConfigError(`invalid configuration: ${field} ${describe(field, firstError.message)}${given}`);
  }
  const env = converted as Env;
  const dataDir = path.resolve(env.MOWT_DATA_DIR);
  const trustProxy = env.MOWT_TRUST_PROXY.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of trustProxy) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(p)) {
      throw new ConfigError(`invalid configuration: MOWT_TRUST_PROXY entry ${JSON.stringify(p)} is not an IP address or CIDR`);
    }
  }
  // On-call webhooks are always signed.
  if (env.MOWT_ONCALL_WEBHOOK_URL !== undefined && env.MOWT_ONCALL_WEBHOOK_SECRET === undefined) throw new ConfigError('invalid configuration: MOWT_ONCALL_WEBHOOK_URL needs MOWT_ONCALL_WEBHOOK_SECRET');
  if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined)) {
    throw new ConfigError('invalid configuration: TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  if (env.MOWT_ROLE !== 'all' && !env.DATABASE_URL) {
    // Separate web and worker processes meet in PostgreSQL; the embedded database belongs to one process.
    throw new ConfigError(`invalid configuration: MOWT_ROLE=${env.MOWT_ROLE} needs DATABASE_URL (PostgreSQL)`);
  }
  const config: Config = {
    env: env.MOWT_ENV,
    port: env.PORT,
    httpPort: env.HTTP_PORT,
    host: env.HOST,
    dataDir,
    role: env.MOWT_ROLE,
    baseUrl: env.MOWT_BASE_URL ?? `https://localhost${env.PORT === 443 ? '' : `:${env.PORT}`}`,
    baseUrlConfigured: env.MOWT_BASE_URL !== undefined,
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL, appUrl: env.DATABASE_APP_URL, poolSize: env.MOWT_DB_POOL_SIZE }
      : { kind: 'pglite', dir: path.join(dataDir, 'db') },
    trustProxy,
    tls: { certFile: env.TLS_CERT_FILE, keyFile: env.TLS_KEY_FILE },
    bodyLimit: env.MOWT_BODY_LIMIT,
    logLevel: env.LOG_LEVEL,
    kmsKeyId: env.KMS_KEY_ID,
    kmsReplicaRegions: env.KMS_REPLICA_REGIONS ? env.KMS_REPLICA_REGIONS.split(',') : [],
    kmsPrincipals: env.KMS_TASK_ROLE_ARN && env.KMS_BREAK_GLASS_ROLE_ARN ? { taskRoleArn: env.KMS_TASK_ROLE_ARN, breakGlassRoleArn: env.KMS_BREAK_GLASS_ROLE_ARN } : undefined,
    masterKey: env.MOWT_MASTER_KEY,
    stripeApiBase: env.MOWT_STRIPE_API_BASE,
    stripeApp: env.MOWT_STRIPE_CLIENT_ID && env.MOWT_STRIPE_APP_SECRET ? { clientId: env.MOWT_STRIPE_CLIENT_ID, clientSecret: env.MOWT_STRIPE_APP_SECRET } : undefined,
    stripeWebhookSecret: env.MOWT_STRIPE_WEBHOOK_SECRET,
    stripeRateLimit: env.MOWT_STRIPE_RATE_LIMIT,
    stripeTestRateLimit: env.MOWT_STRIPE_TEST_RATE_LIMIT,
    stripeEndpointRateLimit: env.MOWT_STRIPE_ENDPOINT_RATE_LIMIT === 0 ? null : env.MOWT_STRIPE_ENDPOINT_RATE_LIMIT,
    stripePollSeconds: env.MOWT_STRIPE_POLL_SECONDS,
    jobs: syncJobTiming(env),
    demoEmulator: env.MOWT_DEMO_EMULATOR ?? env.MOWT_ENV === 'development',
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    redisUrl: env.REDIS_URL,
    breachCheck: env.MOWT_BREACH_CHECK,
    securityContact: env.MOWT_SECURITY_CONTACT,
    sentryDsn: env.SENTRY_DSN,
    metricsListen: parseListen(env.MOWT_METRICS_LISTEN),
    oncall: { email: env.MOWT_ONCALL_EMAIL, webhookUrl: env.MOWT_ONCALL_WEBHOOK_URL, webhookSecret: env.MOWT_ONCALL_WEBHOOK_SECRET },
    countryHeader: env.MOWT_COUNTRY_HEADER?.toLowerCase(),
    backup: { dir: path.resolve(env.MOWT_BACKUP_DIR ?? path.join(dataDir, 'backups')), intervalMinutes: env.MOWT_BACKUP_INTERVAL, primaryRegion: env.MOWT_PRIMARY_REGION, region: env.MOWT_BACKUP_REGION, pgBinDir: env.MOWT_PG_BIN_DIR, s3: backupS3(env) },
    signup: env.MOWT_SIGNUP,
    billing: billingConfig(env),
    billingPlans: billingPlans(env.MOWT_BILLING_PLANS),
  };
  assertProductionSafe(config);
  return config;
}

/** A job must be able to finish its budget (stopping at a page boundary) well inside its expiry. */
function syncJobTiming(env: Env): Config['jobs'] {
  const budget = env.MOWT_SYNC_JOB_BUDGET_SECONDS;
  const expire = env.MOWT_SYNC_JOB_EXPIRE_SECONDS ?? 2 * budget + 60;
  if (expire <= budget) throw new ConfigError(`invalid configuration: MOWT_SYNC_JOB_EXPIRE_SECONDS (${expire}) must be longer than MOWT_SYNC_JOB_BUDGET_SECONDS (${budget})`);
  return { syncBudgetSeconds: budget, syncExpireSeconds: expire, maintenanceSeconds: env.MOWT_QUEUE_MAINTENANCE_SECONDS };
}

/** The S3 backup destination, when a bucket is configured: it needs its region (never guessed). */
function backupS3(env: Env): Config['backup']['s3'] {
  if (!env.MOWT_BACKUP_S3_BUCKET) return undefined;
  if (!env.MOWT_BACKUP_REGION) throw new ConfigError('invalid configuration: MOWT_BACKUP_S3_BUCKET needs MOWT_BACKUP_REGION, the bucket\'s region');
  return { bucket: env.MOWT_BACKUP_S3_BUCKET, region: env.MOWT_BACKUP_REGION, prefix: env.MOWT_BACKUP_S3_PREFIX, endpoint: env.MOWT_BACKUP_S3_ENDPOINT };
}

function billingConfig(env: Env): Config['billing'] {
  const key = env.MOWT_BILLING_STRIPE_SECRET_KEY;
  const secret = env.MOWT_BILLING_WEBHOOK_SECRET;
  if ((key === undefined) !== (secret === undefined)) {
    throw new ConfigError('invalid configuration: MOWT_BILLING_STRIPE_SECRET_KEY and MOWT_BILLING_WEBHOOK_SECRET must be set together');
  }
  return key && secret ? { secretKey: key, webhookSecret: secret, apiBase: env.MOWT_BILLING_API_BASE } : undefined;
}

function billingPlans(json: string | undefined): PlanCatalog {
  if (json === undefined) return DEFAULT_PLAN_CATALOG;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError('invalid configuration: MOWT_BILLING_PLANS is not JSON');
  }
  try {
    return parsePlanCatalog(parsed);
  } catch (err) {
    throw new ConfigError(`invalid configuration: MOWT_BILLING_PLANS ${(err as Error).message}`);
  }
}

/** 'off' → null; 'host:port' (IPv6 in brackets) → its parts. */
export function parseListen(value: string): { host: string; port: number } | null {
  if (value === 'off') return null;
  const at = value.lastIndexOf(':');
  const host = value.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(value.slice(at + 1));
  if (!host || !Number.isInteger(port) || port > 65535) throw new ConfigError(`invalid configuration: MOWT_METRICS_LISTEN must be off or host:port (got ${JSON.stringify(value)})`);
  return { host, port };
}

function describe(field: string, fallback: string): string {
  const schema = (EnvSchema.properties as Record<string, { anyOf?: { const?: unknown }[] }>)[field];
  const options = schema?.anyOf?.map((s) => s.const);
  return options?.length && options.every((o) => typeof o === 'string' || typeof o === 'number') ? `must be one of ${options.join(', ')}` : fallback;
}

/** Production must never run on the embedded, development-only parts. */
function assertProductionSafe(c: Config): void {
  if (c.env !== 'production') return;
  const refuse = (why: string) => {
    throw new ConfigError(`refusing to start in production: ${why}`);
  };
  if (c.database.kind !== 'postgres') refuse('DATABASE_URL is required (the embedded PGlite database is for development)');
  if (c.database.kind === 'postgres' && !/[?&]sslmode=verify-full(&|$)/.test(c.database.appUrl ?? c.database.url)) {
    refuse('the PostgreSQL connection must use TLS with sslmode=verify-full');
  }
  if (!c.kmsKeyId) refuse('KMS_KEY_ID is required (the local development keyring is not allowed)');
  if (!c.kmsPrincipals) refuse('KMS_TASK_ROLE_ARN and KMS_BREAK_GLASS_ROLE_ARN are required (organisation keys get an explicit key policy naming them)');
  if (c.kmsReplicaRegions.length === 0) refuse('KMS_REPLICA_REGIONS is required (organisation keys must also exist in the disaster-recovery region)');
  if (!c.tls.certFile) refuse('TLS_CERT_FILE/TLS_KEY_FILE are required (self-signed development certificates are not allowed)');
  if (c.demoEmulator) refuse('the demo Stripe emulator cannot run in production');
  if (c.stripeApiBase && !c.stripeApiBase.startsWith('https://api.stripe.com')) {
    refuse('MOWT_STRIPE_API_BASE must point at Stripe, not an emulator');
  }
  if (c.billing?.apiBase && !c.billing.apiBase.startsWith('https://api.stripe.com')) refuse('MOWT_BILLING_API_BASE must point at Stripe, not an emulator');
  if (!c.baseUrl || c.baseUrl.includes('localhost')) refuse('MOWT_BASE_URL must be the public https origin');
  if (c.backup.region === c.backup.primaryRegion) refuse(`MOWT_BACKUP_REGION must differ from the primary region ${c.backup.primaryRegion} (a copy in the same region does not survive the region)`);
}
