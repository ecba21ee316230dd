/**
 * Rates (churn, retention, conversion) are reported as a ratio of two exact integers plus a display value, so
 * a customer can check the division themselves; `value` is null when the denominator is 0.
 */
export interface Ratio {
  numerator: number;
  denominator: number;
  value: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}
