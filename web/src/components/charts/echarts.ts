// ECharts, tree-shaken: only the chart types, components and renderer the dashboard uses are bundled.
// The canvas renderer draws pixels, not DOM, and tooltips use 'richText' (drawn on the canvas too), so
// nothing ECharts does needs inline style markup — the app's CSP (style-src 'self') stays strict.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, CanvasRenderer]);

export { echarts };
export type { EChartsType } from 'echarts/core';
