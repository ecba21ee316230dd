/**
 * Cash: charges, refunds, disputes, fees and net cash (charges − refunds − disputes − fees) over a period, each converted at its
 * day's rate. Each component is summed exactly and rounded once; net is computed from the rounded components
 * so the reported table always adds up.
 */
import type { CashTransactionInput, CustomerInput } from './types.js';
import type { EngineOptions } from './options.js';
import { dayOf } from './calendar.js';
import { toReporting, type FxTable } from './fx.js';
import { add, fromInt, roundHalfEven, ZERO, type Rational } from './rational.js';
import { excludedCustomerKeys, recordExcluded } from './payments.js';
import { toSafeNumber } from './series.js';

export interface CashSummary {
  charges: number;
  refunds: number;
  /** withdrawn by disputes, less what won disputes gave back */
  disputes: number;
  fees: number;
  net: number;
}

export function cashSummary(
  transactions: readonly CashTransactionInput[],
  customers: readonly CustomerInput[],
  from: string,
  to: string,
  fx: FxTable,
  options: EngineOptions,
): CashSummary {
  const excluded = excludedCustomerKeys(customers, options);
  let charges: Rational = ZERO;
  let refunds: Rational = ZERO;
  let disputes: Rational = ZERO;
  let fees: Rational = ZERO;
  for (const t of transactions) {
    if (recordExcluded(t, excluded, options)) continue;
    const day = dayOf(t.created, options.timezone);
    if (day < from || day > to) continue;
    if (t.type === 'dispute') disputes = add(disputes, toReporting(fx, fromInt(t.amount), t.currency, day));
    else {
      const amount = toReporting(fx, fromInt(Math.abs(t.amount)), t.currency, day);
      if (t.type === 'charge') charges = add(charges, amount);
      else refunds = add(refunds, amount);
    }
    fees = add(fees, toReporting(fx, fromInt(t.fee), t.currency, day));
  }
  const c = toSafeNumber(roundHalfEven(charges));
  const r = toSafeNumber(roundHalfEven(refunds));
  const d = toSafeNumber(roundHalfEven(disputes));
  const f = toSafeNumber(roundHalfEven(fees));
  return { charges: c, refunds: r, disputes: d, fees: f, net: c - r - d - f };
}

/** Refunds alone (reporting-currency minor units). */
export function refunds(
  transactions: readonly CashTransactionInput[],
  customers: readonly CustomerInput[],
  from: string,
  to: string,
  fx: FxTable,
  options: EngineOptions,
): number {
  return cashSummary(transactions, customers, from, to, fx, options).refunds;
}
