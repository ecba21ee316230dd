/**
 * Currency conversion into the reporting currency with a daily rate table. A day without a rate uses the latest
 * earlier rate (weekends, bank holidays); a currency with no earlier rate at all is an error rather than a
 * silently wrong figure.
 */
import type { FxRateInput } from './types.js';
import { eq, mul, parseDecimal, rat, ONE, type Rational } from './rational.js';

/** ISO 4217 currencies Stripe treats as zero-decimal, and the three-decimal ones. Others have 2 decimals. */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export function minorUnitExponent(currency: string): number {
  const c = currency.toUpperCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

export class MissingFxRateError extends Error {
  constructor(
    readonly currency: string,
    readonly date: string,
  ) {
    super(`no FX rate for ${currency} on or before ${date}`);
    this.name = 'MissingFxRateError';
  }
}

export interface FxTable {
  readonly reportingCurrency: string;
  /** per currency: dates ascending and the rate from each date on */
  readonly series: ReadonlyMap<string, { dates: string[]; rates: Rational[] }>;
}

export function buildFxTable(rates: readonly FxRateInput[], reportingCurrency: string): FxTable {
  const byCurrency = new Map<string, Map<string, Rational>>();
  for (const r of rates) {
    const c = r.currency.toUpperCase();
    const value = parseDecimal(r.rate);
    if (value.n <= 0n) throw new RangeError(`FX rate for ${c} on ${r.date} must be positive`);
    let m = byCurrency.get(c);
    if (!m) byCurrency.set(c, (m = new Map()));
    // Two different rates for one currency and day are ambiguous: keeping whichever came last made the figures
    // depend on input order. The same rate twice (e.g. "0.8" and 0.80) is harmless.
    const seen = m.get(r.date);
    if (seen && !eq(seen, value)) throw new RangeError(`two different FX rates for ${c} on ${r.date}`);
    m.set(r.date, value);
  }
  const series = new Map<string, { dates: string[]; rates: Rational[] }>();
  for (const [c, m] of byCurrency) {
    const dates = [...m.keys()].sort();
    series.set(c, { dates, rates: dates.map((d) => m.get(d) ?? ONE) });
  }
  return { reportingCurrency: reportingCurrency.toUpperCase(), series };
}

/** Reporting-currency major units per one major unit of `currency` on `date` (latest rate on or before it). */
export function rateOn(table: FxTable, currency: string, date: string): Rational {
  const c = currency.toUpperCase();
  if (c === table.reportingCurrency) return ONE;
  const s = table.series.get(c);
  if (!s) throw new MissingFxRateError(c, date);
  let lo = 0;
  let hi = s.dates.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    // Stryker disable next-line StringLiteral: mid always lies between lo and hi, inside the array, so the fallback is never used
    if ((s.dates[mid] ?? '') <= date) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const rate = idx >= 0 ? s.rates[idx] : undefined;
  if (!rate) throw new MissingFxRateError(c, date);
  return rate;
}

/** Factor from minor units of `currency` to minor units of the reporting currency on `date`. */
export function minorFactor(table: FxTable, currency: string, date: string): Rational {
  const rate = rateOn(table, currency, date);
  const shift = minorUnitExponent(table.reportingCurrency) - minorUnitExponent(currency);
  const scale = shift >= 0 ? rat(10n ** BigInt(shift)) : rat(1n, 10n ** BigInt(-shift));
  return mul(rate, scale);
}

/** Convert an exact amount in minor units of `currency` to exact minor units of the reporting currency. */
export function toReporting(table: FxTable, amountMinor: Rational, currency: string, date: string): Rational {
  if (amountMinor.n === 0n) return amountMinor;
  return mul(amountMinor, minorFactor(table, currency, date));
}
