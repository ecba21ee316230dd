// The MRR line over stacked movement bars, with annotations; clicking a bar (or the matching cell of the
// table, for keyboard and screen-reader users) opens the customers behind it.
import { useMemo } from 'react';
import { formatMoney, formatPeriod } from '../../pages/dashboards/format.js';
import { MOVEMENT_KINDS, MOVEMENT_LABELS, type MovementKind, type MrrRow } from '../../pages/dashboards/metrics-api.js';
import type { Interval } from '../../pages/dashboards/query-state.js';
import { Chart } from './Chart.js';
import { buildMrrOption, type ChartAnnotation } from './mrr-chart-option.js';

export function MrrChart({ rows, currency, interval, annotations, onBar }: { rows: MrrRow[]; currency: string; interval: Interval; annotations: ChartAnnotation[]; onBar: (row: MrrRow, kind: MovementKind) => void }) {
  const option = useMemo(() => buildMrrOption(rows, currency, interval, annotations), [rows, currency, interval, annotations]);
  return (
    <Chart
      option={option}
      testId="mrr-chart"
      onClick={(e) => {
        const row = rows[e.dataIndex];
        const kind = MOVEMENT_KINDS.find((k) => k === e.seriesId);
        if (row && kind) onBar(row, kind);
      }}
    />
  );
}

/** The chart's numbers as a table; every non-zero movement is a button that drills down like a bar. */
export function MrrTable({ rows, currency, interval, onBar, caption }: { rows: MrrRow[]; currency: string; interval: Interval; onBar?: (row: MrrRow, kind: MovementKind) => void; caption: string }) {
  const kinds = MOVEMENT_KINDS.filter((k) => k !== 'currencyAdjustment' || rows.some((r) => r.currencyAdjustment !== 0));
  return (
    <table className="table table-numbers">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Period</th>
          <th scope="col" className="num">
            Start MRR
          </th>
          {kinds.map((k) => (
            <th key={k} scope="col" className="num">
              {MOVEMENT_LABELS[k]}
            </th>
          ))}
          <th scope="col" className="num">
            End MRR
          </th>
          <th scope="col" className="num">
            Customers
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.date}>
            <th scope="row">{formatPeriod(r.date, interval)}</th>
            <td className="num">{formatMoney(r.startMrr, currency)}</td>
            {kinds.map((k) => (
              <td key={k} className="num">
                {onBar && r[k] !== 0 ? (
                  <button type="button" className="link-button" onClick={() => onBar(r, k)}>
                    {formatMoney(r[k], currency, { signed: true })}
                    <span className="visually-hidden">
                      {' '}
                      {MOVEMENT_LABELS[k]} in {formatPeriod(r.date, interval)}: show customers
                    </span>
                  </button>
                ) : (
                  formatMoney(r[k], currency, { signed: true })
                )}
              </td>
            ))}
            <td className="num">{formatMoney(r.mrr, currency)}</td>
            <td className="num">{r.customers}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
