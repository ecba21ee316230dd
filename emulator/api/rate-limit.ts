// Stripe's read rate limit (100 requests/s per account by default), as a sliding one-second window.
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly perSecond: number | null, private readonly nowMs: () => number = Date.now) {}

  /** Records a request and returns false if it is over the limit. */
  allow(bucket: string): boolean {
    if (this.perSecond === null) return true;
    const now = this.nowMs();
    let stamps = this.windows.get(bucket);
    if (!stamps) {
      stamps = [];
      this.windows.set(bucket, stamps);
    }
    while (stamps.length > 0 && (stamps[0] ?? 0) <= now - 1000) stamps.shift();
    if (stamps.length >= this.perSecond) return false;
    stamps.push(now);
    return true;
  }
}
