// Billing-period arithmetic the way Stripe does it: periods are counted from the billing cycle anchor,
// and month-based periods clamp to the end of shorter months (31 Jan → 28/29 Feb → 31 Mar).
import type { Interval } from './catalog.js';

export const DAY = 86_400;

function addMonthsClamped(anchor: number, months: number): number {
  const date = new Date(anchor * 1000);
  const day = date.getUTCDate();
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1,
    date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()));
  const daysInTarget = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, daysInTarget));
  return Math.floor(target.getTime() / 1000);
}

/** End of the k-th period (k ≥ 1) after `anchor`. */
export function periodBoundary(anchor: number, interval: Interval, intervalCount: number, k: number): number {
  switch (interval) {
    case 'day':
      return anchor + k * intervalCount * DAY;
    case 'week':
      return anchor + k * intervalCount * 7 * DAY;
    case 'month':
      return addMonthsClamped(anchor, k * intervalCount);
    case 'year':
      return addMonthsClamped(anchor, k * intervalCount * 12);
  }
}

export function addMonths(at: number, months: number): number {
  return addMonthsClamped(at, months);
}
