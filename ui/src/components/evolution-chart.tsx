/** The graph of one metric over time, drawn with uPlot and resized with its container. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One point of the graph: the period's first day as Unix seconds, and the metric's value. */
export interface EvolutionPoint {
  time: number;
  label: string;
  value: number;
}

/** Props of the chart; `accentColor` draws the line and `granularity` is the period of one point. */
export interface EvolutionChartProps {
  points: EvolutionPoint[];
  /** Readable name of the metric drawn, such as 'Visits'. */
  metricName: string;
  accentColor: string;
  granularity: Granularity;
}

/** The period of one point of the graph. */
export type Granularity = 'day' | 'week' | 'month' | 'year';

const CHART_HEIGHT = 220;
const DAY_SECONDS = 86_400;

/** Tick spacings the x axis may use, in seconds, so ticks never fall between two points. */
const AXIS_INCREMENTS: Record<Granularity, number[]> = {
  day: [1, 2, 7, 14, 28, 56, 91, 182, 364].map((days) => days * DAY_SECONDS),
  week: [7, 14, 28, 56, 91, 182, 364].map((days) => days * DAY_SECONDS),
  month: [1, 2, 3, 6, 12, 24].map((months) => months * 30 * DAY_SECONDS),
  year: [1, 2, 5, 10].map((years) => years * 365 * DAY_SECONDS),
};

const AXIS_FORMATS: Record<Granularity, Intl.DateTimeFormat> = {
  day: new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'short', day: 'numeric' }),
  week: new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'short', day: 'numeric' }),
  month: new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'short', year: 'numeric' }),
  year: new Intl.DateTimeFormat('en', { timeZone: 'UTC', year: 'numeric' }),
};

function readAccent(fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();
  return value || fallback;
}

/** Draws the points; a table with the same numbers is offered for screen readers and copying. */
export function EvolutionChart({ points, metricName, accentColor, granularity }: EvolutionChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return undefined;
    const accent = readAccent(accentColor);
    const options: uPlot.Options = {
      width: Math.max(container.clientWidth, 200),
      height: CHART_HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // Point times are UTC midnights, so the axis is drawn in UTC to keep each tick on its day.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_chart, _min, max) => [0, Math.max(1, max)] } },
      series: [{}, { label: metricName, stroke: accent, width: 2, fill: `${accent}22`, points: { show: points.length <= 31 } }],
      axes: [
        {
          stroke: '#57606a', grid: { stroke: '#eaeef2' }, space: 60, incrs: AXIS_INCREMENTS[granularity],
          values: (_chart, splits) => splits.map((seconds) => AXIS_FORMATS[granularity].format(new Date(seconds * 1000))),
        },
        { stroke: '#57606a', grid: { stroke: '#eaeef2' }, size: 48 },
      ],
    };
    const chart = new uPlot(options, [points.map((point) => point.time), points.map((point) => point.value)], container);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(container.clientWidth, 200), height: CHART_HEIGHT }));
    observer.observe(container);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [points, metricName, accentColor, granularity]);

  const total = points.reduce((sum, point) => sum + point.value, 0);
  return (
    <figure class="evolution">
      <figcaption>{metricName} over time</figcaption>
      <div ref={containerRef} class="chart" role="img" aria-label={`${metricName} over ${points.length} periods, ${total} in total.`} />
      <details>
        <summary>Show as a table</summary>
        <table class="data-table">
          <thead><tr><th scope="col">Period</th><th scope="col">{metricName}</th></tr></thead>
          <tbody>
            {points.map((point) => <tr key={point.label}><td>{point.label}</td><td>{point.value}</td></tr>)}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
