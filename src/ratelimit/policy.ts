// What each route may spend. Every route names a class (or explicit numbers) in config.rateLimit; the route
// declaration check (src/http/route-config.ts) refuses a route without one. Two buckets per request: one per
// client IP (also for anonymous callers) and one per signed-in user or API token — so an office behind one NAT
// address is not throttled by one busy colleague, and one account cannot spread its traffic over many IPs.
// Classes are separate buckets: a burst of exports never eats into dashboard reads.
import type { FastifyRequest } from 'fastify';

export const RATE_LIMIT_CLASSES = ['auth', 'read', 'write', 'export', 'webhook', 'health', 'api', 'static'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

export interface Bucket {
  /** Requests allowed per window. */
  points: number;
  windowS: number;
}

export interface ClassLimits {
  ip: Bucket;
  /** Per signed-in user or API token; absent where requests never carry one (webhooks, health). */
  subject?: Bucket;
  /** Counted in this process only, even with Redis: cheap probes that must never wait on a network store. */
  local?: boolean;
}

/** Explicit numbers on a route, for the odd route no class fits. */
export interface ExplicitLimits {
  name: string;
  ip: Bucket;
  subject?: Bucket;
}

/**
 * A route's setting: a class, explicit numbers, or a function of the request choosing a class (one route that
 * both browses and exports, e.g. the audit log with ?format=csv). Functions see the parsed query string only.
 */
export type RateLimitSetting = RateLimitClass | ExplicitLimits | ((request: FastifyRequest) => RateLimitClass);

export type RateLimitPolicy = Record<RateLimitClass, ClassLimits>;

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/**
 * The production policy. Per-IP ceilings are generous (many people share an office address), per-user ones
 * tighter. Authentication has its own failure throttle per account (src/auth/login-throttle.ts); this class
 * caps raw volume per address. Exports are expensive, so they count per hour.
 */
export const DEFAULT_POLICY: RateLimitPolicy = {
  auth: { ip: { points: 60, windowS: MINUTE }, subject: { points: 30, windowS: MINUTE } },
  read: { ip: { points: 1200, windowS: MINUTE }, subject: { points: 600, windowS: MINUTE } },
  write: { ip: { points: 300, windowS: MINUTE }, subject: { points: 120, windowS: MINUTE } },
  export: { ip: { points: 60, windowS: HOUR }, subject: { points: 30, windowS: HOUR } },
  // Stripe delivers from a handful of addresses in bursts and retries a 429 later.
  webhook: { ip: { points: 1200, windowS: MINUTE } },
  health: { ip: { points: 300, windowS: MINUTE }, local: true },
  // API tokens: per token per minute; the IP ceiling stops one host cycling many tokens.
  api: { ip: { points: 600, windowS: MINUTE }, subject: { points: 120, windowS: MINUTE } },
  // The web app's files and shell (hashed assets are cached by browsers for a year).
  static: { ip: { points: 1200, windowS: MINUTE } },
};

/** Unmatched paths (scanners probing) count as reads from their IP. */
export const NOT_FOUND_CLASS: RateLimitClass = 'read';

export function isRateLimitClass(v: unknown): v is RateLimitClass {
  return typeof v === 'string' && (RATE_LIMIT_CLASSES as readonly string[]).includes(v);
}

function isBucket(v: unknown): v is Bucket {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Partial<Bucket>;
  return Number.isInteger(b.points) && (b.points ?? 0) > 0 && Number.isInteger(b.windowS) && (b.windowS ?? 0) > 0;
}

/** Whether a route's config.rateLimit is a usable setting (the declaration check's rule). */
export function isRateLimitSetting(v: unknown): v is RateLimitSetting {
  if (isRateLimitClass(v) || typeof v === 'function') return true;
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Partial<ExplicitLimits>;
  return typeof e.name === 'string' && /^[a-z0-9-]{1,40}$/.test(e.name) && isBucket(e.ip) && (e.subject === undefined || isBucket(e.subject));
}

export interface ResolvedLimits extends ClassLimits {
  /** Bucket name: the class, or `route-<name>` for explicit numbers. */
  name: string;
}

/** The limits that apply to one request under a route's setting. */
export function resolveLimits(policy: RateLimitPolicy, setting: RateLimitSetting | undefined, request: FastifyRequest): ResolvedLimits {
  if (setting === undefined) return { name: NOT_FOUND_CLASS, ...policy[NOT_FOUND_CLASS] };
  if (typeof setting === 'function') {
    const cls = setting(request);
    return { name: cls, ...policy[cls] };
  }
  if (typeof setting === 'string') return { name: setting, ...policy[setting] };
  return { name: `route-${setting.name}`, ip: setting.ip, subject: setting.subject };
}

/** Merges partial per-class overrides (tests, operators) over the default policy. */
export function mergePolicy(overrides: Partial<RateLimitPolicy> = {}): RateLimitPolicy {
  const out = { ...DEFAULT_POLICY };
  for (const cls of RATE_LIMIT_CLASSES) {
    const o = overrides[cls];
    if (o) out[cls] = { ...DEFAULT_POLICY[cls], ...o };
  }
  return out;
}

export interface BucketState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetS: number;
  windowS: number;
}

/**
 * The response headers (IETF draft "RateLimit header fields", the widely deployed -06 shape): the bucket
 * closest to running out is the one a client must respect.
 */
export function rateLimitHeaders(states: BucketState[]): Record<string, string> {
  if (states.length === 0) return {};
  const tightest = states.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetS > a.resetS) ? b : a));
  return {
    'ratelimit-limit': String(tightest.limit),
    'ratelimit-remaining': String(Math.max(0, tightest.remaining)),
    'ratelimit-reset': String(Math.max(0, tightest.resetS)),
    'ratelimit-policy': states.map((s) => `${s.limit};w=${s.windowS}`).join(', '),
  };
}
