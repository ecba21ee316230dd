// Client-side limiter: a token bucket per Stripe account (and, as Stripe also limits each endpoint, one per
// endpoint in front of it), refilled at `perSecond` and holding at most `burst` tokens. Stripe (and the emulator) count arrivals in a one-second window, so any one second sees at most
// perSecond + burst requests leave: the default burst keeps that under Stripe's 100 at the default 90/s.
// Why a small burst rather than strict even spacing: a timer that fires late (a busy event loop) would
// otherwise lose that slot for good, and a loaded process then uses far less than its share; with a few
// tokens in hand it catches up. Waiters are served in arrival order.

export interface RateLimiter {
  /** Resolves when one more request (to `path`, when the limiter also limits each endpoint) may be sent. */
  acquire(path?: string): Promise<void>;
  readonly perSecond: number;
  readonly burst: number;
}

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** perSecond / 20, at least 1: 4 at 90/s, so a second never sees more than 94 of Stripe's 100. */
export const defaultBurst = (perSecond: number): number => Math.max(1, Math.floor(perSecond / 20));

export function createRateLimiter(perSecond: number, opts: { burst?: number; clock?: LimiterClock } = {}): RateLimiter {
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError('rate limit must be a positive number');
  const burst = opts.burst ?? defaultBurst(perSecond);
  if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be a positive integer');
  const clock = opts.clock ?? realClock;
  const interval = 1000 / perSecond;
  // Starts with one token, not a full bucket: a fresh limiter must not open with a burst on top of whatever
  // another process sent to the same account a moment ago.
  let tokens = 1;
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();
  const refill = (): void => {
    const t = clock.now();
    tokens = Math.min(burst, tokens + (t - last) / interval);
    last = t;
  };
  const take = async (): Promise<void> => {
    // The epsilon: a refill that lands a rounding error short of a whole token must not wait forever for it.
    for (refill(); tokens < 1 - 1e-9; refill()) await clock.sleep((1 - tokens) * interval);
    tokens = Math.max(0, tokens - 1);
  };
  return {
    perSecond,
    burst,
    acquire() {
      const turn = queue.then(take);
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/**
 * Stripe counts each named API operation as its own endpoint (GET /v1/invoices and GET /v1/invoices/{id} are
 * two): ids are replaced so every retrieve of one kind shares a key.
 */
export function endpointKey(path: string): string {
  const bare = path.split('?')[0] ?? path;
  return bare.split('/').map((seg) => (/^[a-z]{2,6}_[A-Za-z0-9]{6,}$/.test(seg) ? ':id' : seg)).join('/');
}

/**
 * Stripe's documented limits: per account 100 read requests/s in live mode and 25 in test mode (sandboxes),
 * and by default 25/s for each endpoint on top. A test-mode key is spotted by its prefix (rk_test_, sk_test_,
 * and OAuth access tokens of test-mode installs).
 */
export const isTestModeToken = (token: string): boolean => /^[a-z]{2,4}_test_/.test(token);

export interface StripeLimits {
  livePerSecond: number;
  testPerSecond: number;
  /** Each endpoint's own limit; null: only the account's. */
  endpointPerSecond: number | null;
}

/** The account's bucket, then one bucket per endpoint, waited for before the account's token is spent. */
function layeredLimiter(account: RateLimiter, endpointPerSecond: number | null, clock?: LimiterClock): RateLimiter {
  const endpoints = new Map<string, RateLimiter>();
  return {
    perSecond: account.perSecond,
    burst: account.burst,
    async acquire(path) {
      if (endpointPerSecond !== null && path !== undefined) {
        const key = endpointKey(path);
        let limiter = endpoints.get(key);
        if (!limiter) endpoints.set(key, (limiter = createRateLimiter(endpointPerSecond, clock ? { clock } : {})));
        await limiter.acquire();
      }
      await account.acquire();
    },
  };
}

/** One limiter per connection, shared by everything that talks to Stripe for it in this process. */
export class RateLimiters {
  private readonly byKey = new Map<string, RateLimiter>();
  private readonly limits: StripeLimits;
  /** A number: one account rate for every mode and no endpoint limit (benches, tests of the limiter itself). */
  constructor(limits: number | StripeLimits, private readonly burst?: number, private readonly clock?: LimiterClock) {
    this.limits = typeof limits === 'number' ? { livePerSecond: limits, testPerSecond: limits, endpointPerSecond: null } : limits;
  }
  for(key: string, mode: 'live' | 'test' = 'live'): RateLimiter {
    const id = `${mode}:${key}`;
    let limiter = this.byKey.get(id);
    if (!limiter) {
      const perSecond = mode === 'test' ? this.limits.testPerSecond : this.limits.livePerSecond;
      const opts = { ...(this.burst === undefined ? {} : { burst: this.burst }), ...(this.clock ? { clock: this.clock } : {}) };
      limiter = layeredLimiter(createRateLimiter(perSecond, opts), this.limits.endpointPerSecond, this.clock);
      this.byKey.set(id, limiter);
    }
    return limiter;
  }
}
