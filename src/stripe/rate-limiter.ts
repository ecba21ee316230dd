// Client-side limiter: a token bucket per Stripe account, refilled at `perSecond` and holding at most `burst`
// tokens. Stripe (and the emulator) count arrivals in a one-second window, so any one second sees at most
// perSecond + burst requests leave: the default burst keeps that under Stripe's 100 at the default 90/s.
// Why a small burst rather than strict even spacing: a timer that fires late (a busy event loop) would
// otherwise lose that slot for good, and a loaded process then uses far less than its share; with a few
// tokens in hand it catches up. Waiters are served in arrival order.

export interface RateLimiter {
  /** Resolves when one more request may be sent. */
  acquire(): Promise<void>;
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
    for (refill(); tokens < 1; refill()) await clock.sleep((1 - tokens) * interval);
    tokens -= 1;
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

/** One limiter per connection, shared by everything that talks to Stripe for it in this process. */
export class RateLimiters {
  private readonly byKey = new Map<string, RateLimiter>();
  constructor(private readonly perSecond: number, private readonly burst?: number) {}
  for(key: string): RateLimiter {
    let limiter = this.byKey.get(key);
    if (!limiter) {
      limiter = createRateLimiter(this.perSecond, this.burst === undefined ? {} : { burst: this.burst });
      this.byKey.set(key, limiter);
    }
    return limiter;
  }
}
