/**
 * Normalising a billing interval to one month: a yearly amount counts 1/12, a weekly one 52/12 (52 weeks a
 * year), a daily one 365/12. So a 7-day plan (× 365/84 ≈ 4.345) counts slightly more than a 1-week plan
 * (× 52/12 ≈ 4.333); those are the rules of issue 6, documented in docs/metrics.md.
 */
import type { Interval } from './types.js';
import { rat, type Rational } from './rational.js';

/** Factor that turns an amount billed every `count` × `interval` into a monthly amount. */
export function monthlyFactor(interval: Interval, count: number): Rational {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`interval_count must be a positive integer, got ${count}`);
  const c = BigInt(count);
  switch (interval) {
    case 'month':
      return rat(1n, c);
    case 'year':
      return rat(1n, 12n * c);
    case 'week':
      return rat(52n, 12n * c);
    case 'day':
      return rat(365n, 12n * c);
  }
}
