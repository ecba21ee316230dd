// The emulator's clock: the configured `now` plus any time advanced through the admin API.
export class Clock {
  private offsetSeconds = 0;
  constructor(private readonly base: () => Date) {}

  /** Unix seconds. */
  now(): number {
    return Math.floor(this.base().getTime() / 1000) + this.offsetSeconds;
  }

  advance(seconds: number): number {
    this.offsetSeconds += Math.floor(seconds);
    return this.now();
  }
}
