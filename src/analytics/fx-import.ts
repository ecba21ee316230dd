// An imported exchange-rate file, and the choice between it and Stripe's balance-transaction rates. Format
// (docs/metrics.md, "Imported exchange rates"): CSV with the header `date,currency,rate`, one line per currency
// and day, `rate` = units of the organisation's reporting currency per ONE unit of `currency` (the way Stripe's
// `exchange_rate` reads). Every line is checked and every problem reported with its line number, so a person can
// fix the whole file in one go; a file with any problem stores nothing. Pure: no I/O.
import type { FxRateInput } from '../metrics/index.js';
import type { FxSource } from './analytics.table.js';

export const FX_CSV_HEADER = ['date', 'currency', 'rate'] as const;
/** Rows in one file: ten currencies × 27 years of days, and a bound on the memory one request can take. */
export const MAX_FX_ROWS = 100_000;
/** Problems listed in one answer: enough to fix a file, not a megabyte of repeats. */
export const MAX_FX_ERRORS = 200;
export const FX_SOURCES: readonly FxSource[] = ['stripe', 'imported', 'imported-then-stripe'];
export const DEFAULT_FX_SOURCE: FxSource = 'imported-then-stripe';

export interface ImportedRate {
  date: string;
  currency: string;
  rate: string;
}

export interface FxImportProblem {
  /** 1-based line of the file (the header is line 1); for a JSON body, the entry's position + 1 likewise */
  line: number;
  message: string;
}

export interface FxImportResult {
  rates: ImportedRate[];
  problems: FxImportProblem[];
  /** more problems existed than are listed */
  truncated: boolean;
}

// ISO 4217 currencies in circulation (ICU's list: no funds codes, metals or XXX/XTS).
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A plain positive decimal: no sign, exponent or thousands separator; at most 12 places either side.
const RATE = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= '1970-01-01' && s <= '2099-12-31';
}

/** The rate written without insignificant zeros ("0.800" and "00.8" are the same rate, "0.8"). */
function canonicalRate(s: string): string | null {
  const m = RATE.exec(s);
  if (!m) return null;
  const int = (m[1] ?? '0').replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (/^0*$/.test(int) && frac === '') return null;
  return frac ? `${int}.${frac}` : int;
}

/** Checks rows already split into fields (from the CSV or a JSON body). */
export function validateFxRows(rows: { line: number; date: string; currency: string; rate: string }[], reportingCurrency: string): FxImportResult {
  const problems: FxImportProblem[] = [];
  const rates: ImportedRate[] = [];
  const seen = new Map<string, number>();
  const reporting = reportingCurrency.toUpperCase();
  if (rows.length > MAX_FX_ROWS) problems.push({ line: rows[MAX_FX_ROWS]?.line ?? MAX_FX_ROWS + 2, message: `more than ${MAX_FX_ROWS} rates in one file` });
  for (const r of rows.slice(0, MAX_FX_ROWS)) {
    const date = r.date.trim();
    const currency = r.currency.trim().toUpperCase();
    const rateText = r.rate.trim();
    const before = problems.length;
    if (!validDate(date)) problems.push({ line: r.line, message: `date ${JSON.stringify(date)} is not a day YYYY-MM-DD between 1970 and 2099` });
    if (!/^[A-Z]{3}$/.test(currency) || !ISO_4217.has(currency)) problems.push({ line: r.line, message: `currency ${JSON.stringify(r.currency.trim())} is not an ISO 4217 code in circulation` });
    else if (currency === reporting) problems.push({ line: r.line, message: `currency ${currency} is the reporting currency (its rate is always 1)` });
    const rate = canonicalRate(rateText);
    if (rate === null) problems.push({ line: r.line, message: `rate ${JSON.stringify(rateText)} is not a positive decimal such as 0.7912 (no sign, exponent or separators; at most 12 digits each side of the point)` });
    if (problems.length > before) continue;
    const key = `${currency} ${date}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ line: r.line, message: `second rate for ${currency} on ${date} (first on line ${first})` });
      continue;
    }
    seen.set(key, r.line);
    rates.push({ date, currency, rate: rate as string });
  }
  const truncated = problems.length > MAX_FX_ERRORS;
  return { rates: problems.length ? [] : rates, problems: problems.slice(0, MAX_FX_ERRORS), truncated };
}

/**
 * Parses the CSV text. Accepts a UTF-8 BOM, CRLF or LF line ends, blank lines (skipped), and fields in double
 * quotes; the header must name exactly date, currency and rate (any case, that order).
 */
export function parseFxCsv(text: string, reportingCurrency: string): FxImportResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const header = splitLine(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  if (header.join(',') !== FX_CSV_HEADER.join(',')) {
    return { rates: [], problems: [{ line: 1, message: `the first line must be the header ${FX_CSV_HEADER.join(',')}` }], truncated: false };
  }
  const rows: { line: number; date: string; currency: string; rate: string }[] = [];
  const problems: FxImportProblem[] = [];
  lines.forEach((raw, i) => {
    if (i === 0 || raw.trim() === '') return;
    const fields = splitLine(raw);
    if (fields.length !== 3) {
      problems.push({ line: i + 1, message: `expected 3 fields (date,currency,rate), found ${fields.length}` });
      return;
    }
    rows.push({ line: i + 1, date: fields[0] as string, currency: fields[1] as string, rate: fields[2] as string });
  });
  if (rows.length === 0 && problems.length === 0) problems.push({ line: 2, message: 'the file has no rates' });
  const checked = validateFxRows(rows, reportingCurrency);
  const all = [...problems, ...checked.problems].sort((a, b) => a.line - b.line);
  return { rates: all.length ? [] : checked.rates, problems: all.slice(0, MAX_FX_ERRORS), truncated: checked.truncated || all.length > MAX_FX_ERRORS };
}

/** One CSV line's fields (RFC 4180 quoting; no line breaks inside fields in this format). */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** The imported rates as CSV in the import format (download, round trip). */
export function fxCsv(rates: readonly ImportedRate[]): string {
  return [FX_CSV_HEADER.join(','), ...rates.map((r) => `${r.date},${r.currency},${r.rate}`)].join('\r\n') + '\r\n';
}

const EPOCH = '1970-01-01';

/**
 * The FX table a recompute uses. 'stripe': Stripe's rates only. 'imported': the file's only. 'imported-then-stripe'
 * (the default): a currency the file has uses the file's rates, every other currency Stripe's — never a mix
 * within one currency, so a currency's movements never jump between two sources. Before a currency's first
 * imported day its first imported rate applies (as with Stripe's rates). A file imported for another reporting
 * currency is not used (its rates are in the wrong unit) and says so in the warnings.
 */
export function chooseFxRates(
  stripe: readonly FxRateInput[], imported: readonly ImportedRate[], importQuote: string | null, source: FxSource, reportingCurrency: string,
): { rates: FxRateInput[]; warnings: string[] } {
  const warnings: string[] = [];
  let file = imported;
  if (source !== 'stripe' && file.length > 0 && importQuote !== null && importQuote.toUpperCase() !== reportingCurrency.toUpperCase()) {
    warnings.push(`the imported exchange rates are in ${importQuote.toUpperCase()} but the reporting currency is ${reportingCurrency.toUpperCase()}: import a file in ${reportingCurrency.toUpperCase()}; Stripe's rates are used meanwhile`);
    file = [];
  }
  if (source === 'stripe' || file.length === 0) {
    if (source === 'imported') warnings.push("the exchange-rate source is the imported file but no usable file is imported: Stripe's rates are used meanwhile");
    return { rates: [...stripe], warnings };
  }
  const byCurrency = new Map<string, ImportedRate[]>();
  for (const r of file) {
    let list = byCurrency.get(r.currency);
    if (!list) byCurrency.set(r.currency, (list = []));
    list.push(r);
  }
  const rates: FxRateInput[] = [];
  for (const [currency, list] of [...byCurrency].sort(([a], [b]) => (a < b ? -1 : 1))) {
    list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const first = list[0] as ImportedRate;
    if (first.date > EPOCH) rates.push({ currency, date: EPOCH, rate: first.rate });
    for (const r of list) rates.push({ currency, date: r.date, rate: r.rate });
  }
  if (source === 'imported-then-stripe') for (const r of stripe) if (!byCurrency.has(r.currency.toUpperCase())) rates.push(r);
  return { rates, warnings };
}
