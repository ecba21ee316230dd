// How figures read on the dashboard: money from minor units in the reporting currency, ratios as
// percentages, signed changes. en-GB throughout (the product's locale), whatever the browser's.

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, compact: boolean): Intl.NumberFormat {
  const key = `${currency}|${compact}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', compact ? { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 } : { style: 'currency', currency });
    moneyFormats.set(key, f);
  }
  return f;
}

// Amounts are in Stripe's minor units, and so are the server's figures (src/metrics/fx.ts): Stripe's own
// table, not CLDR's display digits — CLDR shows HUF, IDR, ISK, COP or PKR without decimals, yet Stripe (and
// Mowt's server) count them in hundredths, so Intl's digits would show them 100 times too large.
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Digits after the decimal point of a currency's minor unit as Stripe counts it: 2 for GBP and HUF, 0 for JPY, 3 for KWD. */
export function minorUnitDigits(currency: string): number {
  const c = currency.toUpperCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  return THREE_DECIMAL.has(c) ? 3 : 2;
}

/** Minor units (an integer) → the amount in major units, exactly as the decimal string says it. */
export function toMajor(minor: number, currency: string): number {
  return minor / 10 ** minorUnitDigits(currency);
}

/** 123456 GBP → "£1,234.56"; compact: "£1.2K". Unknown currency codes fall back to "1,234.56 XYZ". */
export function formatMoney(minor: number | null | undefined, currency: string, opts: { compact?: boolean; signed?: boolean } = {}): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return '—';
  const major = toMajor(minor, currency);
  let text: string;
  try {
    text = moneyFormat(currency, opts.compact ?? false).format(Math.abs(major));
  } catch {
    text = `${new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.abs(major))} ${currency}`;
  }
  // A real minus sign (U+2212) reads better than a hyphen and is what screen readers announce as "minus".
  if (major < 0) return `−${text}`;
  if (opts.signed && major > 0) return `+${text}`;
  return text;
}

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined, opts: { signed?: boolean } = {}): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const text = integer.format(Math.abs(n));
  if (n < 0) return `−${text}`;
  return opts.signed && n > 0 ? `+${text}` : text;
}

export interface Ratio {
  numerator: number;
  denominator: number;
  value: number | null;
}

/** A fraction (0.0525) → "5.25%"; null (nothing to divide by) → "—". */
export function formatPercent(fraction: number | null | undefined, opts: { signed?: boolean; digits?: number } = {}): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  const digits = opts.digits ?? (Math.abs(pct) >= 100 ? 1 : 2);
  const text = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: digits }).format(Math.abs(pct));
  const sign = pct < 0 && Number(text.replace(/,/g, '')) !== 0 ? '−' : opts.signed && pct > 0 ? '+' : '';
  return `${sign}${text}%`;
}

export const formatRatio = (r: Ratio | null | undefined): string => formatPercent(r?.value ?? null);

/** Percentage points for a change of a rate: 0.0125 → "+1.25 pts". */
export function formatPoints(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '—';
  return `${formatPercent(change, { signed: true }).replace('%', '')} pts`;
}

/** The relative change of a figure against its previous value: (1234, 1000) → 0.234; null when previous is 0. */
export function relativeChange(value: number, previous: number): number | null {
  if (previous === 0) return null;
  return (value - previous) / Math.abs(previous);
}

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const MONTH = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

function utcDate(iso: string): Date | null {
  const m = iso.match(/^(\d{4})-(\d{2})(?:-(\d{2}))?$/);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3] ?? '1')));
}

/** "2026-10-04" → "4 Oct 2026"; "2026-10" → "Oct 2026". Calendar days, never shifted by the browser's zone. */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = utcDate(iso);
  if (!d) return iso;
  return iso.length === 7 ? MONTH.format(d) : DAY.format(d);
}

/** The label of a period row: a month reads "Oct 2026", a week "w/c 5 Oct 2026", a day "5 Oct 2026". */
export function formatPeriod(date: string, interval: 'day' | 'week' | 'month'): string {
  if (interval === 'month') return formatDay(date.slice(0, 7));
  if (interval === 'week') return `w/c ${formatDay(date)}`;
  return formatDay(date);
}

/** Whether a change is good news: more MRR is, more churn is not. */
export function tone(change: number | null | undefined, higherIsBetter = true): 'positive' | 'negative' | 'neutral' {
  if (change === null || change === undefined || change === 0 || !Number.isFinite(change)) return 'neutral';
  return change > 0 === higherIsBetter ? 'positive' : 'negative';
}
