// CSV export of the API's tables and series: the same rows as the JSON endpoint, flattened (a Ratio becomes
// three columns, `native` one column per currency, arrays joined with ';'). Text cells a spreadsheet would run
// as a formula (leading = + - @ tab CR) are prefixed with an apostrophe; numbers stay numbers.
import { stringify } from 'csv-stringify/sync';

type Cell = string | number | boolean | null;
export type FlatRow = Record<string, Cell>;

const FORMULA = /^[=+\-@\t\r]/;

/** Neutralises spreadsheet formula injection in one text cell. */
export function safeCell(v: Cell): Cell {
  if (typeof v === 'string' && FORMULA.test(v)) return `'${v}`;
  return v;
}

const isRatio = (v: unknown): v is { numerator: number; denominator: number; value: number | null } =>
  typeof v === 'object' && v !== null && 'numerator' in v && 'denominator' in v && 'value' in v;

/** Flattens one JSON row: nested Ratio → name_numerator/_denominator/_value, native → native_<CUR>, arrays → 'a;b'. */
export function flatten(row: Record<string, unknown>, prefix = ''): FlatRow {
  const out: FlatRow = {};
  for (const [k, v] of Object.entries(row)) {
    const name = prefix ? `${prefix}_${k}` : k;
    if (v === null || v === undefined) out[name] = null;
    else if (Array.isArray(v)) out[name] = v.map(String).join(';');
    else if (isRatio(v)) {
      out[`${name}_numerator`] = v.numerator;
      out[`${name}_denominator`] = v.denominator;
      out[`${name}_value`] = v.value;
    } else if (typeof v === 'object') Object.assign(out, flatten(v as Record<string, unknown>, name));
    else out[name] = v as Cell;
  }
  return out;
}

/** CSV text with a header of every column that appears in any row (first-seen order). */
export function toCsv(rows: FlatRow[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const records = rows.map((r) => cols.map((c) => {
    const v = safeCell(r[c] ?? null);
    return v === null ? '' : typeof v === 'boolean' ? String(v) : v;
  }));
  return stringify([cols, ...records], { record_delimiter: '\r\n' });
}
