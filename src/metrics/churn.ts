/**
 * Churn and retention over a period [from, to] (calendar days, inclusive). "Start" always means the end of
 * the day before `from`.
 */
import { addDays } from './calendar.js';
import { orgDayOn, type OrgAggregates } from './aggregate.js';
import { ratio, type Ratio } from './ratio.js';
import { pointOn, type CustomerSeries } from './series.js';

function sumDays(agg: OrgAggregates, from: string, to: string, pick: (d: OrgAggregates['days'][number]) => number): number {
  let total = 0;
  for (const d of agg.days) if (d.date >= from && d.date <= to) total += pick(d);
  return total;
}

/**
 * Customer churn rate = customers who stopped paying during the period ÷ paying customers at the start.
 * (Customers who churn and come back in the same period still count once per churn.)
 */
export function customerChurnRate(agg: OrgAggregates, from: string, to: string): Ratio {
  const start = orgDayOn(agg, addDays(from, -1)).payingCustomers;
  return ratio(sumDays(agg, from, to, (d) => d.churnedCustomers), start);
}

/** Gross MRR churn rate = (churned + contraction MRR, as positive amounts) ÷ MRR at the start. */
export function grossMrrChurnRate(agg: OrgAggregates, from: string, to: string): Ratio {
  const start = orgDayOn(agg, addDays(from, -1)).mrr;
  return ratio(-sumDays(agg, from, to, (d) => d.churn + d.contraction), start);
}

/**
 * Net MRR churn rate = (churned + contraction − expansion − reactivation MRR) ÷ MRR at the start; negative when
 * expansion outweighs losses ("net negative churn"). New MRR and FX adjustments are not part of it.
 */
export function netMrrChurnRate(agg: OrgAggregates, from: string, to: string): Ratio {
  const start = orgDayOn(agg, addDays(from, -1)).mrr;
  return ratio(-sumDays(agg, from, to, (d) => d.churn + d.contraction + d.expansion + d.reactivation), start);
}

/**
 * Net and gross revenue retention of the customers paying at the start:
 *   NRR = Σ their MRR at the end of `to` ÷ Σ their MRR at the start
 *   GRR = Σ min(MRR at end, MRR at start) ÷ Σ their MRR at the start   (expansion cannot lift it above 100%)
 * Customers who start paying during the period are left out of both. Amounts are in the reporting currency,
 * so FX moves show up in NRR (pass a constant-rate table to exclude them).
 */
export function revenueRetention(series: Iterable<CustomerSeries>, from: string, to: string): { nrr: Ratio; grr: Ratio } {
  const startDate = addDays(from, -1);
  let start = 0;
  let end = 0;
  let kept = 0;
  for (const s of series) {
    const a = pointOn(s, startDate);
    if (!a.paying) continue;
    const b = pointOn(s, to);
    start += a.mrr;
    end += b.mrr;
    kept += Math.min(a.mrr, b.mrr);
  }
  return { nrr: ratio(end, start), grr: ratio(kept, start) };
}
