// The log of every request the emulator received, so tests can prove what a sync did (e.g. no writes).
export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  query: string;
  /** Masked: prefix and last four characters only. */
  key: string | null;
  stripeAccount: string | null;
  status: number | null;
  outcome: string;
  time: string;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly limit = 100_000) {}

  add(entry: Omit<LoggedRequest, 'seq'>): LoggedRequest {
    const logged = { seq: ++this.seq, ...entry };
    this.entries.push(logged);
    // Bounded so a long benchmark cannot exhaust memory; oldest entries go first.
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return logged;
  }

  all(): readonly LoggedRequest[] {
    return this.entries;
  }

  reset(): void {
    this.entries = [];
  }
}
