// Fault injection for resilience tests: seeded, so a run with the same seed fails the same requests.
import { createRng, hashSeed } from '../generator/rng.js';
import type { Rng } from '../generator/rng.js';

export interface FaultConfig {
  /** Share of API requests answered with a 500 api_error. */
  error500Rate?: number;
  /** Share answered with a 429 rate_limit error (on top of the real rate limit). */
  error429Rate?: number;
  /** Share whose connection is reset (socket destroyed) without an answer. */
  resetRate?: number;
  /** Added latency per API request, in milliseconds. */
  latencyMs?: number;
}

export type Fault = 'none' | '500' | '429' | 'reset';

export class FaultInjector {
  private readonly rng: Rng;

  constructor(private readonly config: FaultConfig, seed: number) {
    this.rng = createRng(hashSeed(seed, 'faults'));
  }

  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  next(): Fault {
    const r = this.rng.next();
    const e500 = this.config.error500Rate ?? 0;
    const e429 = this.config.error429Rate ?? 0;
    const reset = this.config.resetRate ?? 0;
    if (r < e500) return '500';
    if (r < e500 + e429) return '429';
    if (r < e500 + e429 + reset) return 'reset';
    return 'none';
  }
}
