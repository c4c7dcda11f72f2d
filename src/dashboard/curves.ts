/**
 * Learning curves from the released versions' manifests (`metrics`, as the trainer measured them): per version, the
 * round's training KL curve and the before/after figures; across versions, the same figures as lines.
 */
import { AdapterListResponseSchema, AdapterManifestSchema, ConsolidationSchema, type AdapterManifest } from '../core/protocol/consolidation';
import { TrainerMetricsSchema, type TrainerMetrics } from '../core/protocol/trainer';
import { api } from './api';
import { lineChart, type ChartHandle, type LineSeries } from './charts';
import { el, field, num, setChildren } from './dom';
import type { Section } from './section';

/** The figures of one version that the charts plot. */
export interface VersionFigures {
  version: number;
  klBefore: number | null; klAfter: number | null;
  top1Before: number | null; top1After: number | null;
  ood: number | null;
  lenBefore: number | null; lenAfter: number | null;
  items: number;
}

/** Reads a manifest's figures; a figure the trainer did not report is null (the chart leaves a gap). */
export function figuresOf(m: AdapterManifest): VersionFigures {
  const parsed = TrainerMetricsSchema.safeParse(m.metrics);
  const t: TrainerMetrics | null = parsed.success ? parsed.data : null;
  const h = t?.heldout ?? null;
  return {
    version: m.version,
    klBefore: h?.before.kl ?? null, klAfter: h?.after.kl ?? null,
    top1Before: h?.before.top1_agreement ?? null, top1After: h?.after.top1_agreement ?? null,
    ood: t?.ood?.kl_new_vs_prev ?? null,
    lenBefore: h?.before.mean_response_len ?? null, lenAfter: h?.after.mean_response_len ?? null,
    items: m.knowledge.ids.length,
  };
}

export function curvesSection(): Section {
  const charts: ChartHandle[] = [];
  const keep = (c: ChartHandle) => { charts.push(c); return c.figure; };
  return {
    dispose() { for (const c of charts.splice(0)) c.destroy(); },
    async mount(root) {
      const list = await api('GET', 'v1/adapters', AdapterListResponseSchema);
      if (list.adapters.length === 0) { root.append(el('p', { class: 'empty' }, 'No version has been released yet; curves appear after the first released round.')); return; }
      const manifests = await Promise.all(list.adapters.map((a) => api('GET', `v1/adapters/${a.version}`, AdapterManifestSchema)));
      const figs = manifests.map(figuresOf).sort((a, b) => a.version - b.version);

      const select = el('select', { 'data-testid': 'curves-version' }, ...figs.map((f) => el('option', { value: String(f.version) }, `v${f.version}${f.version === list.current ? ' (current)' : ''}`)));
      select.value = String(list.current ?? figs[figs.length - 1].version);
      const perVersion = el('div', { class: 'per-version' });
      const showVersion = async () => {
        for (const c of charts.splice(0).filter((c) => c.figure.dataset.testid === 'version-kl-chart')) c.destroy();
        const f = figs.find((x) => String(x.version) === select.value)!;
        const m = manifests.find((x) => x.version === f.version)!;
        const rows: Array<[string, string, string]> = [
          ['Held-out KL(student ‖ teacher)', num(f.klBefore), num(f.klAfter)],
          ['Top-1 agreement with the teacher', num(f.top1Before), num(f.top1After)],
          ['Mean response length (tokens)', num(f.lenBefore), num(f.lenAfter)],
        ];
        const figureTable = el('table', { class: 'data', 'data-testid': 'version-figures' },
          el('caption', {}, `Version v${f.version}: before and after its round`),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Figure'), el('th', { scope: 'col' }, 'Before'), el('th', { scope: 'col' }, 'After'))),
          el('tbody', {}, ...rows.map(([a, b, c]) => el('tr', {}, el('th', { scope: 'row' }, a), el('td', {}, b), el('td', {}, c))),
            el('tr', {}, el('th', { scope: 'row' }, 'OOD drift KL(new ‖ previous)'), el('td', { colspan: '2', 'data-testid': 'version-ood' }, num(f.ood))),
            el('tr', {}, el('th', { scope: 'row' }, 'Items absorbed'), el('td', { colspan: '2', 'data-testid': 'version-items' }, String(f.items)))));
        setChildren(perVersion, figureTable);
        try {
          const round = await api('GET', `v1/consolidations/${encodeURIComponent(m.round_id)}`, ConsolidationSchema);
          if (select.value !== String(f.version)) return;
          perVersion.append(keep(lineChart({ title: `v${f.version}: training KL per step`, x: 'step', xs: round.kl_curve.map((p) => p[0]), series: [{ label: 'KL', values: round.kl_curve.map((p) => p[1]) }], yLabel: 'KL', testid: 'version-kl-chart' })));
        } catch {
          perVersion.append(el('p', { class: 'notice' }, 'The round of this version is no longer on the server; its training curve is not available.'));
        }
      };
      select.addEventListener('change', () => void showVersion());

      const xs = figs.map((f) => f.version);
      const line = (title: string, testid: string, yLabel: string, series: LineSeries[]) => keep(lineChart({ title, x: 'version', xs, series, yLabel, testid }));
      root.append(
        el('h2', {}, 'One version'), field('Version', select).wrap, perVersion,
        el('h2', {}, 'Across versions'),
        el('div', { class: 'charts' },
          line('Held-out KL(student ‖ teacher)', 'chart-kl', 'KL', [{ label: 'before', values: figs.map((f) => f.klBefore) }, { label: 'after', values: figs.map((f) => f.klAfter) }]),
          line('Top-1 agreement with the teacher', 'chart-top1', 'agreement', [{ label: 'before', values: figs.map((f) => f.top1Before) }, { label: 'after', values: figs.map((f) => f.top1After) }]),
          line('OOD drift: KL(new ‖ previous version)', 'chart-ood', 'KL', [{ label: 'OOD KL', values: figs.map((f) => f.ood) }]),
          line('Mean response length', 'chart-length', 'tokens', [{ label: 'before', values: figs.map((f) => f.lenBefore) }, { label: 'after', values: figs.map((f) => f.lenAfter) }]),
          line('Items absorbed', 'chart-items', 'items', [{ label: 'items', values: figs.map((f) => f.items) }])));
      await showVersion();
    },
  };
}
