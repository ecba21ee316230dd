// A React host for one ECharts instance: created on mount, updated with each new option, resized with
// its box, disposed on unmount. The canvas is hidden from assistive technology; every chart on the
// dashboard ships the same numbers as a table (ChartFigure), which is what screen readers read.
import { useEffect, useRef } from 'react';
import { echarts, type EChartsType } from './echarts.js';

export interface ChartClick {
  seriesId?: string;
  seriesName?: string;
  dataIndex: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Option = any;

export function Chart({ option, onClick, className = 'chart', testId }: { option: Option; onClick?: (e: ChartClick) => void; className?: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (p: { seriesId?: string; seriesName?: string; dataIndex?: number }) => {
      if (typeof p.dataIndex === 'number') clickRef.current?.({ seriesId: p.seriesId, seriesName: p.seriesName, dataIndex: p.dataIndex });
    });
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} className={className} aria-hidden="true" data-testid={testId} />;
}
