/**
 * Chart.js, tree-shaken to the pieces the Learning view draws (bars, lines, category and linear axes, tooltip,
 * legend), plus the view's defaults: theme colours and font, no animation, a fixed height that fits the sidebar, and
 * the adapter-version markers drawn as dashed vertical lines on the timelines.
 */
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type ChartDataset, type Plugin,
} from 'chart.js';
import type { Theme } from './learningTheme';

Chart.register(BarController, LineController, BarElement, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** A marker on a timeline: the index of its bucket and its label. */
export interface Marker { index: number; label: string }

/** Applies the theme to Chart.js's global defaults (fonts and text colour). */
export function applyThemeDefaults(t: Theme): void {
  Chart.defaults.font.family = t.font;
  Chart.defaults.font.size = 11;
  Chart.defaults.color = t.muted;
  Chart.defaults.borderColor = t.grid;
}

/** Draws each marker as a dashed vertical line through its bucket, labelled at the top. */
function markerPlugin(markers: readonly Marker[], color: string, background: string): Plugin {
  return {
    id: 'oelAdapterMarkers',
    afterDatasetsDraw(chart) {
      const x = chart.scales.x;
      if (!x || !markers.length) return;
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 3]);
      ctx.font = `600 10px ${Chart.defaults.font.family ?? 'sans-serif'}`;
      for (const m of markers) {
        const px = x.getPixelForValue(m.index);
        ctx.beginPath();
        ctx.moveTo(px, chartArea.top);
        ctx.lineTo(px, chartArea.bottom);
        ctx.stroke();
      }
      ctx.setLineDash([]);
      // Labels on a backing box, on a new row when they would overlap the previous one (versions a bucket apart).
      const rows: number[] = [];
      for (const m of markers) {
        const px = x.getPixelForValue(m.index);
        const label = m.label.length > 14 ? `${m.label.slice(0, 13)}…` : m.label;
        const w = ctx.measureText(label).width;
        // Keep the label inside the plot: to the left of the line when it would run off the right edge.
        const left = px + 3 + w > chartArea.right ? px - 3 - w : px + 3;
        let row = rows.findIndex((right) => right < left - 2);
        if (row < 0) row = rows.length;
        rows[row] = left + w;
        const y = chartArea.top + 2 + row * 12;
        ctx.fillStyle = background;
        ctx.fillRect(left - 1, y - 1, w + 2, 12);
        ctx.fillStyle = color;
        ctx.textBaseline = 'top';
        ctx.fillText(label, left, y);
      }
      ctx.restore();
    },
  };
}

interface TimelineOptions {
  type: 'bar' | 'line';
  labels: string[];
  datasets: ChartDataset<'bar' | 'line', (number | null)[]>[];
  stacked?: boolean;
  /** Y axis as a percentage (0-100). */
  percent?: boolean;
  /** Whole-number Y ticks (counts). */
  integer?: boolean;
  markers: readonly Marker[];
  theme: Theme;
}

/** A bar or line chart over the timeline's buckets. */
export function timelineChart(o: TimelineOptions): ChartConfiguration<'bar' | 'line', (number | null)[], string> {
  return {
    type: o.type,
    data: { labels: o.labels, datasets: o.datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      spanGaps: true,
      plugins: {
        legend: { display: o.datasets.length > 1, position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, padding: 8 } },
        tooltip: { callbacks: o.percent ? { label: (c) => `${c.dataset.label}: ${c.parsed.y}%` } : {} },
      },
      scales: {
        x: {
          stacked: o.stacked, grid: { display: false },
          ticks: {
            maxRotation: 0, autoSkip: false,
            // Every k-th label counted back from the last bucket, so today (or this week) is always labelled: Chart.js's
            // own skipping counts from the first and may leave the latest bar without a date.
            callback(_value, index, ticks) {
              const fit = Math.max(2, Math.floor(this.chart.width / 58));
              const step = Math.max(1, Math.ceil(ticks.length / fit));
              return (ticks.length - 1 - index) % step === 0 ? o.labels[index] : '';
            },
          },
        },
        y: {
          stacked: o.stacked, beginAtZero: true,
          ...(o.percent ? { min: 0, max: 100, ticks: { stepSize: 25, callback: (v) => `${v}%` } } : {}),
          ...(o.integer ? { ticks: { precision: 0 } } : {}),
        },
      },
    },
    plugins: [markerPlugin(o.markers, o.theme.purple, o.theme.background)],
  };
}

/** A horizontal bar chart of a few named values (items by status, most cited items). */
export function horizontalChart(labels: string[], datasets: ChartDataset<'bar', number[]>[], tooltipTitle?: (index: number) => string): ChartConfiguration<'bar', number[], string> {
  return {
    type: 'bar',
    data: { labels, datasets },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: datasets.length > 1, position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, padding: 8 } },
        tooltip: tooltipTitle ? { callbacks: { title: (items) => (items.length ? tooltipTitle(items[0].dataIndex) : '') } } : {},
      },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } },
    },
  };
}

/** Draws a configuration on a canvas; returns the chart so it can be destroyed before a redraw. */
export function draw(canvas: HTMLCanvasElement, config: ChartConfiguration<'bar' | 'line', (number | null)[], string> | ChartConfiguration<'bar', number[], string>): Chart {
  return new Chart(canvas, config as ChartConfiguration);
}

export type { Chart };
