/**
 * Classifying one customer's day-over-day MRR change. All inputs are already-rounded reporting-currency
 * integers, so the movements of a day add up exactly to the change of the rounded MRR:
 *
 *   fx   = revalued(prev native at today's rates) − prev MRR
 *   rest = today's MRR − revalued(prev)
 *   Σ movements = fx + rest = today's MRR − prev MRR
 *
 * `rest` is new (first time paying), reactivation (paying again after having churned), churn (stopped paying),
 * expansion (up) or contraction (down). Churn and contraction are negative numbers.
 */

export interface Movements {
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
  /** currency adjustment: revaluation of yesterday's foreign-currency MRR at today's rates */
  fx: number;
}

export type MovementKind = keyof Movements;
export const MOVEMENT_KINDS: readonly MovementKind[] = ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx'];

export const noMovements = (): Movements => ({ new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0 });

export const movementTotal = (m: Movements): number => m.new + m.expansion + m.contraction + m.churn + m.reactivation + m.fx;

/** What happened to the customer as a whole that day (for customer counts). */
export type CustomerEvent = 'new' | 'churn' | 'reactivation' | null;

export interface DayChange {
  movements: Movements;
  event: CustomerEvent;
}

export function classifyChange(args: {
  prevPaying: boolean;
  curPaying: boolean;
  prevMrr: number;
  curMrr: number;
  /** yesterday's native amounts converted at today's rates, rounded */
  prevRevalued: number;
  /** whether the customer had a paid day before yesterday's state began (makes a comeback a reactivation) */
  hadPaidBefore: boolean;
}): DayChange {
  const m = noMovements();
  m.fx = args.prevPaying ? args.prevRevalued - args.prevMrr : 0;
  const base = args.prevPaying ? args.prevRevalued : args.prevMrr;
  const rest = args.curMrr - base;
  let event: CustomerEvent = null;
  if (!args.prevPaying && args.curPaying) {
    event = args.hadPaidBefore ? 'reactivation' : 'new';
    m[event] = rest;
  } else if (args.prevPaying && !args.curPaying) {
    event = 'churn';
    m.churn = rest;
  } else if (rest > 0) m.expansion = rest;
  else if (rest < 0) m.contraction = rest;
  return { movements: m, event };
}
