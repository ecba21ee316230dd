/**
 * Failed payments and recovered revenue, from invoices and their payment attempts.
 *  - failed-payment rate = invoices whose first attempt (in the period) failed ÷ invoices first attempted in it
 *  - recovered revenue = amount due of invoices that failed at least once and were then paid, counted on the day
 *    of the successful attempt, converted at that day's rate; summed exactly, rounded once.
 */
import type { CustomerInput, InvoiceInput } from './types.js';
import type { EngineOptions } from './options.js';
import { dayOf } from './calendar.js';
import { isCustomerExcluded, customerKey } from './filters.js';
import { toReporting, type FxTable } from './fx.js';
import { add, fromInt, roundHalfEven, ZERO } from './rational.js';
import { ratio, type Ratio } from './ratio.js';
import { toSafeNumber } from './series.js';

export interface FailedPayments {
  attempted: number;
  failed: number;
  rate: Ratio;
  recoveredInvoices: number;
  /** reporting-currency minor units */
  recoveredRevenue: number;
}

/** Whether a record belongs to an excluded customer, account, or test mode. */
export function recordExcluded(
  rec: { customerId?: string; accountId?: string; livemode?: boolean },
  excludedCustomers: ReadonlySet<string>,
  options: EngineOptions,
): boolean {
  if (options.accounts && (rec.accountId === undefined || !options.accounts.includes(rec.accountId))) return true;
  if (options.exclude.testMode && rec.livemode === false) return true;
  if (rec.customerId === undefined) return false;
  return excludedCustomers.has(customerKey(rec.accountId, rec.customerId)) || (options.exclude.customerIds?.includes(rec.customerId) ?? false);
}

export function excludedCustomerKeys(customers: readonly CustomerInput[], options: EngineOptions): Set<string> {
  return new Set(customers.filter((c) => isCustomerExcluded(c, options)).map((c) => customerKey(c.accountId, c.id)));
}

export function failedPayments(
  invoices: readonly InvoiceInput[],
  customers: readonly CustomerInput[],
  from: string,
  to: string,
  fx: FxTable,
  options: EngineOptions,
): FailedPayments {
  const tz = options.timezone;
  const excluded = excludedCustomerKeys(customers, options);
  let attempted = 0;
  let failed = 0;
  let recoveredInvoices = 0;
  let recovered = ZERO;
  for (const inv of invoices) {
    if (recordExcluded(inv, excluded, options)) continue;
    const attempts = [...inv.attempts].sort((a, b) => a.at - b.at);
    const first = attempts[0];
    if (!first) continue;
    const firstDay = dayOf(first.at, tz);
    if (firstDay >= from && firstDay <= to) {
      attempted++;
      if (!first.succeeded) failed++;
    }
    const firstFailure = attempts.findIndex((a) => !a.succeeded);
    const success = firstFailure < 0 ? undefined : attempts.slice(firstFailure + 1).find((a) => a.succeeded);
    if (success) {
      const day = dayOf(success.at, tz);
      if (day >= from && day <= to) {
        recoveredInvoices++;
        recovered = add(recovered, toReporting(fx, fromInt(inv.amount_due), inv.currency, day));
      }
    }
  }
  return { attempted, failed, rate: ratio(failed, attempted), recoveredInvoices, recoveredRevenue: toSafeNumber(roundHalfEven(recovered)) };
}
