/**
 * Drill-down: the customers behind a movement figure (a bar in the MRR chart, a KPI's change).
 */
import type { MovementKind } from './movements.js';
import { MOVEMENT_KINDS } from './movements.js';
import type { CustomerSeries } from './series.js';

export interface MovementLine {
  key: string;
  customerId: string;
  accountId?: string;
  date: string;
  kind: MovementKind;
  /** reporting-currency minor units (negative for churn and contraction) */
  amount: number;
  /** the customer's MRR after the change, and per original currency */
  mrr: number;
  native: Record<string, number>;
}

/** Every non-zero movement in [from, to], optionally of one kind, ordered by date then customer. */
export function movementsBehind(series: Iterable<CustomerSeries>, from: string, to: string, kind?: MovementKind): MovementLine[] {
  const out: MovementLine[] = [];
  for (const s of series) {
    for (const p of s.points) {
      if (p.date < from || p.date > to) continue;
      for (const k of MOVEMENT_KINDS) {
        if ((kind && k !== kind) || p.movements[k] === 0) continue;
        const line: MovementLine = { key: s.key, customerId: s.customerId, date: p.date, kind: k, amount: p.movements[k], mrr: p.mrr, native: p.native };
        if (s.accountId !== undefined) line.accountId = s.accountId;
        out.push(line);
      }
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
