/**
 * Customer lifetime value: LTV = ARPA ÷ monthly customer churn rate, i.e. ARPA × expected lifetime in months,
 * with the lifetime capped (default 60 months) so that a month with no churn does not produce an infinite LTV.
 */
import { rat, roundHalfEven, mul, min } from './rational.js';
import type { Ratio } from './ratio.js';
import { toSafeNumber } from './series.js';

export interface Ltv {
  /** reporting-currency minor units, rounded half-even */
  value: number;
  /** expected lifetime used, in months (1 ÷ churn rate, or the cap) */
  lifetimeMonths: number;
  capped: boolean;
}

/**
 * @param arpa average revenue per account, minor units per month
 * @param monthlyChurn customer churn rate over one month (numerator churned, denominator at start)
 * @param maxLifetimeMonths cap on the lifetime
 */
export function ltv(arpa: number, monthlyChurn: Ratio, maxLifetimeMonths: number): Ltv {
  const cap = rat(BigInt(maxLifetimeMonths));
  const lifetime =
    monthlyChurn.numerator <= 0 || monthlyChurn.denominator <= 0
      ? cap
      : min(cap, rat(BigInt(monthlyChurn.denominator), BigInt(monthlyChurn.numerator)));
  const capped = lifetime === cap || (lifetime.n === cap.n && lifetime.d === cap.d);
  return {
    value: toSafeNumber(roundHalfEven(mul(rat(BigInt(arpa)), lifetime))),
    lifetimeMonths: Number(lifetime.n) / Number(lifetime.d),
    capped,
  };
}
