// A chart with its data as a table: the table is always in the page for screen readers (visually hidden)
// and can be shown to everyone with "Show as table" — handy on a phone and for copying figures.
import { useId, useState, type ReactNode } from 'react';

export function ChartFigure({ title, chart, table, actions, description }: { title: string; chart: ReactNode; table: ReactNode; actions?: ReactNode; description?: ReactNode }) {
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  return (
    <section className="card chart-card" aria-labelledby={headingId}>
      <div className="chart-card-header">
        <h2 id={headingId}>{title}</h2>
        <div className="chart-card-actions">
          <button type="button" className="btn btn-secondary btn-small" aria-pressed={asTable} onClick={() => setAsTable((v) => !v)}>
            {asTable ? 'Show as chart' : 'Show as table'}
          </button>
          {actions}
        </div>
      </div>
      {description ? <p className="chart-card-description">{description}</p> : null}
      {asTable ? null : chart}
      {asTable ? (
        // Shown: a named, keyboard-scrollable region (axe: scrollable-region-focusable).
        <div className="table-wrap" role="region" aria-label={`${title} as a table`} tabIndex={0}>
          {table}
        </div>
      ) : (
        // Hidden from sight only: screen readers still read it, and it takes no keyboard stop.
        <div className="visually-hidden">{table}</div>
      )}
    </section>
  );
}
