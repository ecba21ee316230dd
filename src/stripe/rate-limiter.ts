// Client-side limiter: at most `perSecond` requests in any sliding one-second window, per connection.
// Stripe counts the same way (and so does the emulator), so staying just under its 100/s read limit keeps
// us out of 429s without leaving the allowance idle. Waiters are served in arrival order.

export interface RateLimiter {
  /** Resolves when one more request may be sent. */
  acquire(): Promise<void>;
  readonly perSecond: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createRateLimiter(perSecond: number, now: () => number = () => performance.now()): RateLimiter {
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError('rate limit must be a positive number');
  const capacity = Math.max(1, Math.floor(perSecond));
  // Ring of the send times of the last `capacity` requests: the oldest decides when the next may go.
  const sent = new Array<number>(capacity).fill(Number.NEGATIVE_INFINITY);
  let head = 0;
  let queue: Promise<void> = Promise.resolve();
  const take = async (): Promise<void> => {
    for (;;) {
      const oldest = sent[head] ?? Number.NEGATIVE_INFINITY;
      // A millisecond of margin: timers and the server's clock do not agree to the microsecond.
      const wait = oldest + 1001 - now();
      if (wait <= 0) break;
      await sleep(wait);
    }
    sent[head] = now();
    head = (head + 1) % capacity;
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
