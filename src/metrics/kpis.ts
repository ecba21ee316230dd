/**
 * Headline figures for a day: MRR, ARR, paying customers and ARPA, in reporting-currency minor units.
 */
import { orgDayOn, type OrgAggregates } from './aggregate.js';
import { rat, roundHalfEven } from './rational.js';
import { toSafeNumber } from './series.js';

export interface Summary {
  date: string;
  currency: string;
  mrr: number;
  /** MRR × 12 */
  arr: number;
  /** customers ending the day with MRR > 0 */
  customers: number;
  /** MRR ÷ paying customers, rounded half-even; 0 when there are none */
  arpa: number;
}

export const arr = (mrr: number): number => mrr * 12;

export function arpa(mrr: number, payingCustomers: number): number {
  if (payingCustomers === 0) return 0;
  return toSafeNumber(roundHalfEven(rat(BigInt(mrr), BigInt(payingCustomers))));
}

export function summary(agg: OrgAggregates, date: string): Summary {
  const d = orgDayOn(agg, date);
  return { date, currency: agg.currency, mrr: d.mrr, arr: arr(d.mrr), customers: d.payingCustomers, arpa: arpa(d.mrr, d.payingCustomers) };
}
