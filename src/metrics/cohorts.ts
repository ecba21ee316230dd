/**
 * Cohort retention by signup month. A customer's cohort is the month (org calendar) of their first paid day.
 * For each month offset k ≥ 0 (while month M + k has started by the series' last day):
 *   customers: cohort members paying at the end of month M + k ÷ cohort size
 *   MRR:       their MRR at the end of month M + k ÷ their MRR on their first paid day
 * The last, unfinished month is read at the series' last day. Needs series that start on or before the first
 * cohort's first day; customers who first paid before the series starts are left out.
 */
import { addMonthsToDate, monthEnd, monthStart } from './calendar.js';
import { ratio, type Ratio } from './ratio.js';
import { pointOn, type CustomerSeries } from './series.js';

export interface CohortCell {
  offset: number;
  month: string;
  customers: number;
  mrr: number;
  customerRetention: Ratio;
  mrrRetention: Ratio;
}

export interface Cohort {
  /** YYYY-MM */
  month: string;
  size: number;
  initialMrr: number;
  cells: CohortCell[];
}

export function cohorts(series: Iterable<CustomerSeries>): Cohort[] {
  const groups = new Map<string, CustomerSeries[]>();
  let to = '';
  for (const s of series) {
    if (s.to > to) to = s.to;
    const first = s.firstPaidDate;
    if (first === null || first < s.from || first > s.to) continue;
    const m = first.slice(0, 7);
    const g = groups.get(m);
    if (g) g.push(s);
    else groups.set(m, [s]);
  }
  const out: Cohort[] = [];
  for (const month of [...groups.keys()].sort()) {
    const members = groups.get(month) ?? [];
    const initialMrr = members.reduce((acc, s) => acc + pointOn(s, s.firstPaidDate ?? s.from).mrr, 0);
    const cells: CohortCell[] = [];
    for (let k = 0; ; k++) {
      const start = addMonthsToDate(`${month}-01`, k);
      if (start > to) break;
      const end = monthEnd(start) < to ? monthEnd(start) : to;
      let customers = 0;
      let mrr = 0;
      for (const s of members) {
        const p = pointOn(s, end);
        if (p.paying) customers++;
        mrr += p.mrr;
      }
      cells.push({ offset: k, month: monthStart(start).slice(0, 7), customers, mrr, customerRetention: ratio(customers, members.length), mrrRetention: ratio(mrr, initialMrr) });
    }
    out.push({ month, size: members.length, initialMrr, cells });
  }
  return out;
}
