// The daily FX table from Stripe balance transactions. A transaction that converted a charge (or refund) in
// currency C into the balance currency S carries `exchange_rate` = S per C. The table keeps ONE rate per
// currency and day (org calendar): the rate of the day's earliest transaction (then the smallest id), so the
// figures never depend on the order rows were read in. When the reporting currency R is not the balance
// currency, rates are crossed through S on the same day: C→R = (C→S) ÷ (R→S), and S→R = 1 ÷ (R→S), written
// with 12 decimals. Before the first rate of a currency its first known rate is used (dated 1970-01-01), so a
// customer paying before their first converted charge still has a figure. Pure: no I/O.
import { dayOf, parseDecimal, roundHalfEven, type FxRateInput, type Rational } from '../metrics/index.js';

export interface ConversionRow {
  id: string;
  /** balance currency (S) */
  currency: string;
  /** the converted charge's or refund's own currency (C) */
  sourceCurrency: string | null;
  exchangeRate: string | number | null;
  created: number;
}

const EPOCH = '1970-01-01';

function toDecimal(r: Rational, places = 12): string {
  const scale = 10n ** BigInt(places);
  const scaled = roundHalfEven({ n: r.n * scale, d: r.d });
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  const int = abs / scale;
  const frac = (abs % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

export function buildFxRates(rows: Iterable<ConversionRow>, reportingCurrency: string, timezone: string): { rates: FxRateInput[]; warnings: string[] } {
  const R = reportingCurrency.toUpperCase();
  // per balance currency S: per source currency C: day → { created, id, rate }
  const chosen = new Map<string, Map<string, Map<string, { created: number; id: string; rate: string }>>>();
  for (const row of rows) {
    if (row.exchangeRate === null || row.exchangeRate === undefined || !row.sourceCurrency) continue;
    const S = row.currency.toUpperCase();
    const C = row.sourceCurrency.toUpperCase();
    if (S === C) continue;
    const rate = String(row.exchangeRate);
    if (parseDecimal(rate).n <= 0n) continue;
    const day = dayOf(row.created, timezone);
    let byC = chosen.get(S);
    if (!byC) chosen.set(S, (byC = new Map()));
    let byDay = byC.get(C);
    if (!byDay) byC.set(C, (byDay = new Map()));
    const seen = byDay.get(day);
    if (!seen || row.created < seen.created || (row.created === seen.created && row.id < seen.id)) byDay.set(day, { created: row.created, id: row.id, rate });
  }
  const warnings: string[] = [];
  const out = new Map<string, Map<string, string>>();
  const add = (c: string, day: string, rate: string): void => {
    let m = out.get(c);
    if (!m) out.set(c, (m = new Map()));
    if (!m.has(day)) m.set(day, rate);
  };
  for (const [S, byC] of chosen) {
    if (S === R) {
      for (const [C, byDay] of byC) for (const [day, v] of byDay) add(C, day, v.rate);
      continue;
    }
    // cross through S with R→S rates of the same balance currency
    const rToS = byC.get(R);
    if (!rToS || rToS.size === 0) {
      warnings.push(`exchange rates into ${S} cannot be turned into ${R} rates: no ${R} transaction was converted into ${S}`);
      continue;
    }
    const rDays = [...rToS.keys()].sort();
    const rOn = (day: string): Rational => {
      let pick = rDays[0] as string;
      for (const d of rDays) {
        if (d <= day) pick = d;
        else break;
      }
      return parseDecimal(rToS.get(pick)?.rate ?? '1');
    };
    for (const [C, byDay] of byC) {
      if (C === R) continue;
      for (const [day, v] of byDay) {
        const cs = parseDecimal(v.rate);
        const rs = rOn(day);
        add(C, day, toDecimal({ n: cs.n * rs.d, d: cs.d * rs.n }));
      }
    }
    for (const day of rDays) {
      const rs = rOn(day);
      add(S, day, toDecimal({ n: rs.d, d: rs.n }));
    }
  }
  const rates: FxRateInput[] = [];
  for (const [c, m] of [...out].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const days = [...m.keys()].sort();
    const first = days[0];
    if (first !== undefined && first > EPOCH) rates.push({ currency: c, date: EPOCH, rate: m.get(first) as string });
    for (const d of days) rates.push({ currency: c, date: d, rate: m.get(d) as string });
  }
  return { rates, warnings };
}
