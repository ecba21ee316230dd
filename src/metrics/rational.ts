/**
 * Exact rational arithmetic on BigInt.
 *
 * Money is held as integer minor units; every factor we apply (interval normalisation, percent discounts,
 * FX rates, fractional `unit_amount_decimal`) is a ratio of integers. Keeping numerator/denominator as BigInt
 * means no figure drifts by a fraction of a penny before the single rounding step.
 */
export interface Rational {
  /** numerator (any sign) */
  readonly n: bigint;
  /** denominator, always > 0 and coprime with n */
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

export function rat(n: bigint | number, d: bigint | number = 1n): Rational {
  let nn = BigInt(n);
  let dd = BigInt(d);
  if (dd === 0n) throw new RangeError('rational with zero denominator');
  if (dd < 0n) {
    nn = -nn;
    dd = -dd;
  }
  const g = gcd(nn, dd);
  return g > 1n ? { n: nn / g, d: dd / g } : { n: nn, d: dd };
}

export const ZERO: Rational = rat(0n);
export const ONE: Rational = rat(1n);

export const add = (a: Rational, b: Rational): Rational => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rat(a.n * b.n, a.d * b.d);
export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('division by zero');
  return rat(a.n * b.d, a.d * b.n);
}
export const neg = (a: Rational): Rational => ({ n: -a.n, d: a.d });
export const cmp = (a: Rational, b: Rational): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const isZero = (a: Rational): boolean => a.n === 0n;
export const isPositive = (a: Rational): boolean => a.n > 0n;
export const max = (a: Rational, b: Rational): Rational => (cmp(a, b) >= 0 ? a : b);
export const min = (a: Rational, b: Rational): Rational => (cmp(a, b) <= 0 ? a : b);
export const sum = (xs: Iterable<Rational>): Rational => {
  let acc = ZERO;
  for (const x of xs) acc = add(acc, x);
  return acc;
};
export const eq = (a: Rational, b: Rational): boolean => a.n === b.n && a.d === b.d;

/**
 * Round to the nearest integer, ties to even ("banker's rounding"). Used once per reported figure so that
 * rounding errors do not accumulate in one direction across many customers.
 */
export function roundHalfEven(a: Rational): bigint {
  const { n, d } = a;
  // floor division that works for negative numerators
  let q = n / d;
  let r = n % d;
  if (r < 0n) {
    q -= 1n;
    r += d;
  }
  const twice = 2n * r;
  if (twice > d) return q + 1n;
  if (twice < d) return q;
  return q % 2n === 0n ? q : q + 1n;
}

/**
 * Parse a decimal such as "12.5", "-0.0125", "3" or "1e-2" exactly (Stripe sends `unit_amount_decimal`,
 * `percent_off` and FX rates as decimals). Numbers are converted through their shortest string form, which is
 * the decimal the author wrote, so 1.1 becomes 11/10 and not the nearest binary double.
 */
export function parseDecimal(value: string | number): Rational {
  const s = typeof value === 'number' ? numberToString(value) : value.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal: ${JSON.stringify(value)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  const digits = BigInt((intPart + frac).replace(/^0+(?=\d)/, '') || '0');
  return exp >= 0 ? rat(sign * digits * 10n ** BigInt(exp)) : rat(sign * digits, 10n ** BigInt(-exp));
}

function numberToString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return String(x);
}

/** Convert to a JS number for display-only ratios (rates, percentages); never used for money. */
export const toNumber = (a: Rational): number => Number(a.n) / Number(a.d);

export const fromInt = (x: bigint | number): Rational => rat(BigInt(x));

export function toString(a: Rational): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}
