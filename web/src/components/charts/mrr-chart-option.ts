// The overview chart as an ECharts option: MRR as a line over stacked movement bars (positive kinds above
// the axis, contraction and churn below), annotations as dashed vertical lines. Pure, so it is unit-tested.
import { formatMoney, formatPeriod, toMajor } from '../../pages/dashboards/format.js';
import { MOVEMENT_KINDS, MOVEMENT_LABELS, type MovementKind } from '../../pages/dashboards/metrics-api.js';
import type { Interval } from '../../pages/dashboards/query-state.js';
import { ANNOTATION_COLOUR, AXIS_COLOUR, GRID_COLOUR, LINE_COLOUR, MOVEMENT_COLOURS } from './palette.js';

export interface MrrPoint {
  date: string;
  from: string;
  to: string;
  mrr: number;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
  currencyAdjustment: number;
}

export interface ChartAnnotation {
  date: string;
  label: string;
}

/** The index of the period row holding `date`, or -1 when the date is outside every row. */
export function rowOf(rows: { from: string; to: string }[], date: string): number {
  return rows.findIndex((r) => r.from <= date && date <= r.to);
}

export function buildMrrOption(rows: MrrPoint[], currency: string, interval: Interval, annotations: ChartAnnotation[] = [], opts: { compact?: boolean } = {}) {
  const categories = rows.map((r) => formatPeriod(r.date, interval));
  const money = (minor: number) => formatMoney(minor, currency, { compact: true });
  const marks = annotations
    .map((a) => ({ a, i: rowOf(rows, a.date) }))
    .filter((x) => x.i >= 0)
    .map(({ a, i }) => ({ xAxis: categories[i], name: a.label, label: { formatter: a.label } }));
  const kinds: MovementKind[] = MOVEMENT_KINDS.filter((k) => k !== 'currencyAdjustment' || rows.some((r) => r.currencyAdjustment !== 0));
  return {
    animation: false,
    grid: { left: opts.compact ? 8 : 16, right: 16, top: 64, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, textStyle: { color: AXIS_COLOUR }, itemWidth: 14, itemHeight: 10 },
    tooltip: {
      trigger: 'axis',
      // Drawn on the canvas: the HTML tooltip would need inline styles the CSP forbids.
      renderMode: 'richText',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: number) => formatMoney(Math.round(v * 10 ** minorDigits(currency)), currency),
    },
    xAxis: {
      type: 'category',
      data: categories,
      axisLabel: { color: AXIS_COLOUR, hideOverlap: true },
      axisLine: { lineStyle: { color: GRID_COLOUR } },
    },
    // Movements are a few per cent of MRR: on MRR's axis their bars would be slivers nobody can click,
    // so they get their own axis on the right.
    yAxis: [
      {
        type: 'value',
        name: 'MRR',
        nameTextStyle: { color: AXIS_COLOUR },
        axisLabel: { color: AXIS_COLOUR, formatter: (v: number) => money(Math.round(v * 10 ** minorDigits(currency))) },
        splitLine: { lineStyle: { color: GRID_COLOUR } },
      },
      {
        type: 'value',
        name: 'Movements',
        nameTextStyle: { color: AXIS_COLOUR },
        alignTicks: true,
        axisLabel: { color: AXIS_COLOUR, formatter: (v: number) => money(Math.round(v * 10 ** minorDigits(currency))) },
        splitLine: { show: false },
      },
    ],
    series: [
      ...kinds.map((k) => ({
        id: k,
        name: MOVEMENT_LABELS[k],
        type: 'bar',
        yAxisIndex: 1,
        stack: 'movements',
        barMaxWidth: 28,
        cursor: 'pointer',
        itemStyle: { color: MOVEMENT_COLOURS[k] },
        emphasis: { focus: 'series' },
        data: rows.map((r) => toMajor(r[k], currency)),
      })),
      {
        id: 'mrr',
        name: 'MRR',
        type: 'line',
        yAxisIndex: 0,
        symbol: 'circle',
        symbolSize: 5,
        z: 5,
        lineStyle: { color: LINE_COLOUR, width: 2 },
        itemStyle: { color: LINE_COLOUR },
        data: rows.map((r) => toMajor(r.mrr, currency)),
        markLine:
          marks.length > 0
            ? { symbol: 'none', silent: false, lineStyle: { color: ANNOTATION_COLOUR, type: 'dashed' }, label: { color: ANNOTATION_COLOUR, position: 'insideEndTop' }, data: marks }
            : undefined,
      },
    ],
  };
}

function minorDigits(currency: string): number {
  return Math.round(Math.log10(1 / toMajor(1, currency)));
}
