// A plain multi-line (or bar) chart option for rate and count series; values already in display units.
import { AXIS_COLOUR, GRID_COLOUR } from './palette.js';

export interface LineSeries {
  id: string;
  name: string;
  colour: string;
  data: (number | null)[];
  type?: 'line' | 'bar';
  step?: boolean;
}

export function buildLineOption(categories: string[], series: LineSeries[], format: (v: number) => string) {
  return {
    animation: false,
    grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, textStyle: { color: AXIS_COLOUR } },
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : format(v)) },
    xAxis: { type: 'category', data: categories, axisLabel: { color: AXIS_COLOUR, hideOverlap: true }, axisLine: { lineStyle: { color: GRID_COLOUR } } },
    yAxis: { type: 'value', axisLabel: { color: AXIS_COLOUR, formatter: format }, splitLine: { lineStyle: { color: GRID_COLOUR } } },
    series: series.map((s) => ({
      id: s.id,
      name: s.name,
      type: s.type ?? 'line',
      step: s.step ? 'end' : undefined,
      connectNulls: false,
      symbol: 'circle',
      symbolSize: 5,
      barMaxWidth: 28,
      itemStyle: { color: s.colour },
      lineStyle: { color: s.colour, width: 2 },
      data: s.data,
    })),
  };
}
