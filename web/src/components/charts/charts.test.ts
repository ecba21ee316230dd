import { describe, expect, it } from 'vitest';
import { shade } from './CohortHeatmap.js';
import { buildMrrOption, rowOf, type MrrPoint } from './mrr-chart-option.js';

const row = (date: string, from: string, to: string, mrr: number, m: Partial<MrrPoint> = {}): MrrPoint => ({
  date, from, to, mrr, new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, currencyAdjustment: 0, ...m,
});

describe('the MRR chart option', () => {
  const rows = [
    row('2026-01-01', '2026-01-01', '2026-01-31', 100000, { new: 100000 }),
    row('2026-02-01', '2026-02-01', '2026-02-28', 95050, { expansion: 2550, churn: -7500 }),
  ];

  it('draws MRR as a line over stacked movement bars, in major units', () => {
    const option = buildMrrOption(rows, 'GBP', 'month');
    const series = option.series as { id: string; type: string; stack?: string; data: number[] }[];
    expect(series.map((s) => s.id)).toEqual(['new', 'expansion', 'reactivation', 'contraction', 'churn', 'mrr']);
    expect(series.find((s) => s.id === 'mrr')).toMatchObject({ type: 'line', data: [1000, 950.5] });
    expect(series.find((s) => s.id === 'churn')).toMatchObject({ type: 'bar', stack: 'movements', data: [0, -75] });
    expect(option.xAxis.data).toEqual(['Jan 2026', 'Feb 2026']);
    // Tooltips render on the canvas: HTML tooltips would need inline styles the CSP blocks.
    expect(option.tooltip.renderMode).toBe('richText');
    expect(option.tooltip.valueFormatter(950.5)).toBe('£950.50');
  });

  it('shows currency adjustment only when there is one, and yen without decimals', () => {
    const yen = buildMrrOption([row('2026-01-01', '2026-01-01', '2026-01-31', 5000, { currencyAdjustment: -12 })], 'JPY', 'month');
    const series = yen.series as { id: string; data: number[] }[];
    expect(series.map((s) => s.id)).toContain('currencyAdjustment');
    expect(series.find((s) => s.id === 'mrr')?.data).toEqual([5000]);
  });

  it('places annotations on the period that holds their day and drops the rest', () => {
    expect(rowOf(rows, '2026-02-14')).toBe(1);
    expect(rowOf(rows, '2025-12-31')).toBe(-1);
    const option = buildMrrOption(rows, 'GBP', 'month', [
      { date: '2026-02-14', label: 'Price change' },
      { date: '2027-01-01', label: 'Outside' },
    ]);
    const mrr = (option.series as { id: string; markLine?: { data: { xAxis: string; name: string }[] } }[]).find((s) => s.id === 'mrr');
    expect(mrr?.markLine?.data).toEqual([expect.objectContaining({ xAxis: 'Feb 2026', name: 'Price change' })]);
  });
});

describe('cohort heatmap shades', () => {
  it('buckets retention into ten shades, clamping above 100%', () => {
    expect([0, 0.05, 0.1, 0.55, 0.999, 1, 1.4].map(shade)).toEqual([0, 0, 1, 5, 9, 9, 9]);
    expect(shade(null)).toBeNull();
  });
});
