/**
 * Line charts with uPlot (bundled; canvas drawing, no inline styles beyond what the CSSOM sets, so the page's CSP
 * holds). Colours come from the page's CSS variables and every chart is rebuilt when the OS colour scheme changes.
 * Each figure also carries its numbers as a table, for screen readers and for anyone who wants the exact values.
 */
import uPlot from 'uplot';
import { el, num, uid } from './dom';

/** One line of a chart; null values leave a gap. */
export interface LineSeries { label: string; values: Array<number | null> }

export interface ChartSpec {
  title: string;
  /** What the x values are: training steps, or adapter versions (labelled v1, v2, ...). */
  x: 'step' | 'version';
  xs: number[];
  series: LineSeries[];
  yLabel: string;
  /** data-testid of the figure (tests find charts by it). */
  testid: string;
}

/** A chart on the page; `update` replaces its data without rebuilding it (the live KL curve). */
export interface ChartHandle { figure: HTMLElement; update(xs: number[], series: LineSeries[]): void; destroy(): void }

const live = new Set<() => void>();
const dark = window.matchMedia('(prefers-color-scheme: dark)');
dark.addEventListener('change', () => { for (const rebuild of [...live]) rebuild(); });

function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return { text: v('--text'), grid: v('--chart-grid'), lines: [v('--chart-1'), v('--chart-2'), v('--chart-3')] };
}

function options(spec: ChartSpec, width: number): uPlot.Options {
  const p = palette();
  const axis = (label: string, isX: boolean): uPlot.Axis => ({
    label, stroke: p.text, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 },
    ...(isX && spec.x === 'version' ? { incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u: uPlot, splits: number[]) => splits.map((s) => (Number.isInteger(s) ? `v${s}` : '')) } : {}),
  });
  return {
    width, height: 220,
    scales: { x: { time: false, ...(spec.x === 'version' ? { range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [min - 0.5, max + 0.5] } : {}) } },
    axes: [axis(spec.x === 'version' ? 'version' : 'step', true), axis(spec.yLabel, false)],
    series: [
      { label: spec.x === 'version' ? 'version' : 'step', value: (_u, v) => (v === null ? '—' : spec.x === 'version' ? `v${v}` : String(v)) },
      ...spec.series.map((s, i) => ({
        label: s.label, stroke: p.lines[i % p.lines.length], width: 2,
        // Dashed second and third lines, so the series differ by more than colour.
        dash: i === 0 ? undefined : i === 1 ? [6, 4] : [2, 3],
        points: { show: true, size: 6 }, spanGaps: false, value: (_u: uPlot, v: number | null) => num(v),
      })),
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
}

function dataOf(xs: number[], series: LineSeries[]): uPlot.AlignedData {
  return [xs, ...series.map((s) => s.values)] as uPlot.AlignedData;
}

function table(spec: ChartSpec, xs: number[], series: LineSeries[]): HTMLTableElement {
  const xName = spec.x === 'version' ? 'Version' : 'Step';
  return el('table', { class: 'data' },
    el('caption', { class: 'visually-hidden' }, `${spec.title}: values`),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, xName), ...series.map((s) => el('th', { scope: 'col' }, s.label)))),
    el('tbody', {}, ...xs.map((x, i) => el('tr', {}, el('th', { scope: 'row' }, spec.x === 'version' ? `v${x}` : String(x)), ...series.map((s) => el('td', {}, num(s.values[i])))))));
}

/** Draws a line chart into a new <figure> (append it to the page, then it sizes itself to its container). */
export function lineChart(spec: ChartSpec): ChartHandle {
  const captionId = uid('fig');
  const plotBox = el('div', { class: 'plot', role: 'img', 'aria-labelledby': captionId });
  const details = el('details', { class: 'chart-data' }, el('summary', {}, 'Values'));
  const figure = el('figure', { class: 'chart', 'data-testid': spec.testid }, el('figcaption', { id: captionId }, spec.title), plotBox, details);
  let xs = spec.xs;
  let series = spec.series;
  let plot: uPlot | null = null;
  const widthOf = () => Math.max(240, Math.floor(plotBox.clientWidth || figure.clientWidth || 600));
  const build = () => {
    plot?.destroy();
    plot = new uPlot(options({ ...spec, xs, series }, widthOf()), dataOf(xs, series), plotBox);
  };
  const renderTable = () => {
    details.querySelector('table')?.remove();
    details.append(table(spec, xs, series));
  };
  renderTable();
  const resize = new ResizeObserver(() => { if (plot && Math.abs(plot.width - widthOf()) > 2) plot.setSize({ width: widthOf(), height: 220 }); });
  // Built on the next frame, once the figure is in the document and has a width.
  requestAnimationFrame(() => { if (live.has(build)) { build(); resize.observe(plotBox); } });
  live.add(build);
  return {
    figure,
    update(nx, ns) {
      const sameShape = ns.length === series.length;
      xs = nx;
      series = ns;
      renderTable();
      if (plot && sameShape) plot.setData(dataOf(xs, series)); else if (plot) build();
    },
    destroy() { live.delete(build); resize.disconnect(); plot?.destroy(); plot = null; },
  };
}
