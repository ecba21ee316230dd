// KPI tiles with the change against the previous period of the same length. A tile with customers behind
// it is a button that opens them (drill-down).
import type { ReactNode } from 'react';
import { formatCount, formatMoney, formatPercent, formatPoints, formatRatio, relativeChange, tone, type Ratio } from './format.js';
import type { Kpi, KpisResponse, MovementKind } from './metrics-api.js';

type KpiKey = keyof KpisResponse['kpis'];

interface TileDef {
  key: KpiKey;
  label: string;
  kind: 'money' | 'count' | 'ratio';
  higherIsBetter: boolean;
  /** Movement kinds behind the figure; undefined = no drill-down; [] = every kind. */
  drill?: MovementKind[];
  hint: string;
}

export const TILES: TileDef[] = [
  { key: 'mrr', label: 'MRR', kind: 'money', higherIsBetter: true, drill: [], hint: 'Monthly recurring revenue at the end of the period' },
  { key: 'arr', label: 'ARR', kind: 'money', higherIsBetter: true, hint: 'MRR × 12' },
  { key: 'arpa', label: 'ARPA', kind: 'money', higherIsBetter: true, hint: 'Average MRR per paying customer' },
  { key: 'customers', label: 'Paying customers', kind: 'count', higherIsBetter: true, drill: ['new', 'churn', 'reactivation'], hint: 'Customers with MRR at the end of the period' },
  { key: 'netNewMrr', label: 'Net new MRR', kind: 'money', higherIsBetter: true, drill: [], hint: 'Every movement in the period' },
  { key: 'newMrr', label: 'New MRR', kind: 'money', higherIsBetter: true, drill: ['new'], hint: 'MRR from new customers' },
  { key: 'churnedMrr', label: 'Churned MRR', kind: 'money', higherIsBetter: true, drill: ['churn', 'contraction'], hint: 'Churn and contraction' },
  { key: 'customerChurnRate', label: 'Customer churn', kind: 'ratio', higherIsBetter: false, drill: ['churn'], hint: 'Customers lost ÷ customers at the start' },
  { key: 'nrr', label: 'NRR', kind: 'ratio', higherIsBetter: true, drill: ['expansion', 'contraction', 'churn', 'reactivation'], hint: 'Net revenue retention' },
  { key: 'ltv', label: 'LTV', kind: 'money', higherIsBetter: true, hint: 'ARPA ÷ the last month’s customer churn rate (lifetime capped)' },
];

function valueText(def: TileDef, kpi: Kpi<number> | Kpi<Ratio>, currency: string): string {
  if (def.kind === 'ratio') return formatRatio(kpi.value as Ratio);
  return def.kind === 'money' ? formatMoney(kpi.value as number, currency) : formatCount(kpi.value as number);
}

function changeText(def: TileDef, kpi: Kpi<number> | Kpi<Ratio>, currency: string): string {
  if (def.kind === 'ratio') return formatPoints(kpi.change);
  const abs = def.kind === 'money' ? formatMoney(kpi.change, currency, { signed: true }) : formatCount(kpi.change, { signed: true });
  const rel = relativeChange(kpi.value as number, kpi.previous as number);
  return rel === null ? abs : `${abs} (${formatPercent(rel, { signed: true, digits: 1 })})`;
}

export function KpiTiles({ data, onDrill }: { data: KpisResponse; onDrill: (def: { label: string; kinds: MovementKind[] }) => void }) {
  return (
    <ul className="kpi-grid" aria-label="Key figures">
      {TILES.map((def) => {
        const kpi = data.kpis[def.key];
        if (!kpi) return null;
        const t = tone(kpi.change, def.higherIsBetter);
        const body: ReactNode = (
          <>
            <span className="kpi-label">{def.label}</span>
            <span className="kpi-value" data-kpi={def.key}>
              {valueText(def, kpi, data.currency)}
            </span>
            <span className={`kpi-change kpi-${t}`}>
              {changeText(def, kpi, data.currency)}
              <span className="visually-hidden"> against the previous period</span>
            </span>
          </>
        );
        return (
          <li key={def.key} className="kpi">
            {def.drill ? (
              <button type="button" className="kpi-button" title={def.hint} onClick={() => onDrill({ label: def.label, kinds: def.drill ?? [] })}>
                {body}
                <span className="visually-hidden">, show the customers behind it</span>
              </button>
            ) : (
              <div className="kpi-static" title={def.hint}>
                {body}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
