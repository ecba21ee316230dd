// Client-side limiter: requests to one Stripe account leave evenly spaced, `perSecond` a second at most.
// Even spacing rather than bursts: Stripe (and the emulator) count arrivals in a sliding one-second
// window, and a burst sent at the top of our window can arrive smeared into the next one and trip a 429.
// Waiters are served in arrival order.

export interface RateLimiter {
  /** Resolves when one more request may be sent. */
  acquire(): Promise<void>;
  readonly perSecond: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createRateLimiter(perSecond: number, now: () => number = () => performance.now()): RateLimiter {
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError('rate limit must be a positive number');
  const spacing = 1000 / perSecond;
  let next = Number.NEGATIVE_INFINITY;
  let queue: Promise<void> = Promise.resolve();
  const take = async (): Promise<void> => {
    for (;;) {
      const wait = next - now();
      if (wait <= 0) break;
      await sleep(wait);
    }
    // Slots are booked from the later of "now" and the previous slot: idle time is not saved up as a burst.
    next = Math.max(now(), next) + spacing;
  };
  return {
    perSecond,
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
  constructor(private readonly perSecond: number) {}
  for(key: string): RateLimiter {
    let limiter = this.byKey.get(key);
    if (!limiter) {
      limiter = createRateLimiter(this.perSecond);
      this.byKey.set(key, limiter);
    }
    return limiter;
  }
}
