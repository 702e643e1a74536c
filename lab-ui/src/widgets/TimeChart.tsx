import { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { useOnScreen } from './common';

export interface ChartSeries {
  label: string;
  stroke: string;
  /** Which y axis: the left one (default) or the right one. */
  scale?: 'y' | 'y2';
  dash?: number[];
}

/** An event to mark on the chart: a vertical line at `x` with a short label (a knob turned, a shard killed, …). */
export interface ChartMark {
  x: number;
  label: string;
  color?: string;
  /** Listed under the chart after the label, not drawn on it (e.g. the throughput either side of the event). */
  detail?: string;
}

interface Props {
  label: string;
  series: ChartSeries[];
  /** [x, ...one array per series]; null where there is no value. */
  data: (number | null)[][];
  /** x is Unix seconds (a clock axis) or seconds since a start. */
  time: boolean;
  y: string;
  y2?: string;
  height?: number;
  /** Cluster events during the plotted span, drawn as labelled vertical lines and listed under the chart. */
  marks?: ChartMark[];
}

let loading: Promise<typeof uPlot> | null = null;
/** uPlot (and its CSS) load with the first chart on screen. */
function loadUplot(): Promise<typeof uPlot> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return loading;
}

/** A live line chart on canvas (uPlot): streaming data is pushed into it, not re-rendered through React. */
export function TimeChart({ label, series, data, time, y, y2, height = 200, marks = [] }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Read by the draw hook, so new marks need a redraw, not a new chart.
  const marksRef = useRef(marks);
  marksRef.current = marks;
  const [ready, setReady] = useState(false);
  const shape = JSON.stringify([series, time, y, y2]);
  const [attach, onScreen] = useOnScreen(box);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt when its shape (series and axes, compared by value) changes; data is pushed in separately
  useEffect(() => {
    if (!onScreen) return;
    let cancelled = false;
    void loadUplot().then((UPlot) => {
      if (cancelled || !box.current) return;
      const axes: uPlot.Axis[] = [{ label: time ? undefined : 'seconds' }, { label: y, scale: 'y', size: 56 }];
      if (y2) axes.push({ label: y2, scale: 'y2', side: 1, grid: { show: false }, size: 56 });
      plot.current = new UPlot(
        {
          width: box.current.clientWidth || 600,
          height,
          scales: { x: { time }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] }, y2: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
          series: [
            { label: time ? 'time' : 's' },
            ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, scale: s.scale ?? 'y', dash: s.dash, spanGaps: false })),
          ],
          axes,
          legend: { live: true },
          cursor: { drag: { x: false, y: false } },
          hooks: { draw: [(u) => drawMarks(u, marksRef.current)] },
        },
        data as uPlot.AlignedData,
        box.current,
      );
      setReady(true);
    });
    const resize = new ResizeObserver(() => {
      if (plot.current && box.current) plot.current.setSize({ width: box.current.clientWidth, height });
    });
    if (box.current) resize.observe(box.current);
    return () => {
      cancelled = true;
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
      setReady(false);
    };
    // The chart is rebuilt only when its shape changes; data flows in through setData below.
  }, [shape, height, onScreen]);

  useEffect(() => {
    if (ready) plot.current?.setData(data as uPlot.AlignedData);
  }, [data, ready]);

  const markKey = JSON.stringify(marks);
  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw when the marks change by value (markKey), not on every new array
  useEffect(() => {
    if (ready) plot.current?.redraw(false, false);
  }, [markKey, ready]);

  return (
    <>
      <div className="chart" ref={attach} role="img" aria-label={label} data-points={data[0]?.length ?? 0} />
      {marks.length > 0 && (
        <ul className="chart-marks muted small" aria-label="Events during the run">
          {marks.map((m) => (
            <li key={`${m.x}-${m.label}`} data-mark={m.label}>
              at {m.x} s: {m.label}
              {m.detail && ` — ${m.detail}`}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Each mark as a dashed vertical line across the plot, its label at the top. */
function drawMarks(u: uPlot, marks: readonly ChartMark[]): void {
  const { ctx } = u;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
  for (const m of marks) {
    const x = Math.round(u.valToPos(m.x, 'x', true));
    ctx.strokeStyle = m.color ?? '#CC79A7';
    ctx.fillStyle = m.color ?? '#CC79A7';
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.lineWidth = devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillText(m.label, x + 4 * devicePixelRatio, top + 12 * devicePixelRatio);
  }
  ctx.restore();
}
