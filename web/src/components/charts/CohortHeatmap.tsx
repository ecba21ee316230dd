// The cohort retention heatmap as a real table (rows: signup months; columns: months since signup), each
// cell shaded by retention. A table rather than a canvas: screen readers navigate it cell by cell, it
// scrolls sideways on a phone, and the shading is a CSS class (no inline styles under the CSP).
import { formatDay, formatMoney, formatPercent } from '../../pages/dashboards/format.js';
import type { Cohort } from '../../pages/dashboards/metrics-api.js';

export type CohortMeasure = 'customers' | 'mrr';

/** Ten shades, 0 = 0–10% retained … 9 = 90% or more (above 100% MRR retention is shade 9 too). */
export function shade(fraction: number | null): number | null {
  if (fraction === null || !Number.isFinite(fraction)) return null;
  return Math.max(0, Math.min(9, Math.floor(fraction * 10)));
}

export function CohortHeatmap({ cohorts, measure, currency }: { cohorts: Cohort[]; measure: CohortMeasure; currency: string }) {
  const width = Math.max(0, ...cohorts.map((c) => c.cells.length));
  const offsets = Array.from({ length: width }, (_, i) => i);
  return (
    <div className="table-wrap heatmap-wrap" role="region" aria-label={`Cohort retention by ${measure === 'mrr' ? 'MRR' : 'customers'}`} tabIndex={0}>
      <table className="table heatmap" data-testid="cohort-heatmap">
        <caption className="visually-hidden">
          Share of each signup month’s {measure === 'mrr' ? 'MRR' : 'customers'} retained, by months since signup
        </caption>
        <thead>
          <tr>
            <th scope="col">Signup month</th>
            <th scope="col" className="num">
              {measure === 'mrr' ? 'Initial MRR' : 'Customers'}
            </th>
            {offsets.map((o) => (
              <th key={o} scope="col" className="num">
                <abbr title={`${o} months after signup`}>M{o}</abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cohorts.map((c) => (
            <tr key={c.month}>
              <th scope="row">{formatDay(c.month)}</th>
              <td className="num">{measure === 'mrr' ? formatMoney(c.initialMrr, currency) : c.size}</td>
              {offsets.map((o) => {
                const cell = c.cells.find((x) => x.offset === o);
                if (!cell) return <td key={o} className="heat-none" />;
                const ratio = measure === 'mrr' ? cell.mrrRetention : cell.customerRetention;
                const s = shade(ratio.value);
                const detail = measure === 'mrr' ? formatMoney(cell.mrr, currency) : `${cell.customers} customers`;
                return (
                  <td key={o} className={`num heat heat-${s ?? 'none'}`} title={`${formatDay(c.month)} cohort, month ${o}: ${detail}`}>
                    {formatPercent(ratio.value, { digits: 0 })}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
