/**
 * Rounds: start one with its parameters (the server's defaults filled in and shown), watch it live (step/total and
 * the KL curve, polled twice a second, no reload), cancel it, and read the gate's verdict with its reasons.
 */
import { ConsolidationListResponseSchema, ConsolidationSchema, ServerStatusResponseSchema, type Consolidation, type RoundParams } from '../core/protocol/consolidation';
import { api, ApiError } from './api';
import { lineChart, type ChartHandle } from './charts';
import { badge, button, confirmDialog, el, field, num, setChildren, time } from './dom';
import type { Section, SectionContext } from './section';

const TERMINAL = new Set(['released', 'failed_gate', 'failed', 'cancelled']);
const STATUS_KIND: Record<string, string> = { queued: 'wait', preparing: 'wait', training: 'wait', released: 'ok', failed_gate: 'bad', failed: 'bad', cancelled: 'neutral' };
const STATUS_TEXT: Record<string, string> = { queued: 'Queued', preparing: 'Preparing', training: 'Training', released: 'Released', failed_gate: 'Failed the gate', failed: 'Failed', cancelled: 'Cancelled' };
// Twice a second: a tiny round trains in seconds, and the curve should visibly grow while it does.
const POLL_MS = 500;

export const roundStatusBadge = (status: string): HTMLElement => badge(STATUS_TEXT[status] ?? status, STATUS_KIND[status] ?? 'neutral');

export function roundsSection(): Section {
  let timer: number | undefined;
  let chart: ChartHandle | null = null;
  return {
    dispose() { window.clearInterval(timer); chart?.destroy(); },
    async mount(root: HTMLElement, ctx: SectionContext) {
      const panel = el('div', { class: 'round-panel', 'data-testid': 'round-panel' });
      const history = el('div', { class: 'round-history' });
      let rounds: Consolidation[] = [];
      let selected: string | null = null;

      const showRound = (r: Consolidation) => {
        selected = r.id;
        panel.dataset.roundId = r.id;
        chart?.destroy();
        const curve = r.kl_curve;
        chart = lineChart({ title: 'Training KL(student ‖ teacher) per step', x: 'step', xs: curve.map((p) => p[0]), series: [{ label: 'KL', values: curve.map((p) => p[1]) }], yLabel: 'KL', testid: 'round-kl-chart' });
        const progress = el('progress', { max: String(Math.max(1, r.progress.total_steps)), value: String(r.progress.step), 'aria-label': 'Training progress', 'data-testid': 'round-progress-bar' });
        const stepText = el('p', { class: 'step', 'data-testid': 'round-step' });
        const statusSlot = el('span', { 'data-testid': 'round-status' });
        const gateSlot = el('div', { class: 'gate' });
        const cancelError = el('p', { class: 'field-error', role: 'alert' });
        const cancel = ctx.isAdmin ? button('Cancel round', () => void (async () => {
          if (!(await confirmDialog('Cancel this round?', 'The trainer is stopped and the round ends as cancelled. Nothing is released.', 'Cancel round', true))) return;
          try {
            const after = await api('POST', `v1/consolidations/${encodeURIComponent(r.id)}/cancel`, ConsolidationSchema);
            ctx.announce('Round cancelled.');
            update(after);
          } catch (e) { cancelError.textContent = e instanceof Error ? e.message : String(e); }
        })(), { class: 'danger-outline', 'data-testid': 'round-cancel' }) : null;
        const update = (x: Consolidation) => {
          setChildren(statusSlot, roundStatusBadge(x.status));
          progress.max = Math.max(1, x.progress.total_steps);
          progress.value = x.progress.step;
          stepText.textContent = `Step ${x.progress.step} of ${x.progress.total_steps}${x.progress.kl !== null ? ` · KL ${num(x.progress.kl)}` : ''}`;
          chart?.update(x.kl_curve.map((p) => p[0]), [{ label: 'KL', values: x.kl_curve.map((p) => p[1]) }]);
          setChildren(gateSlot, gateView(x));
          if (cancel) cancel.hidden = TERMINAL.has(x.status);
          rounds = rounds.map((o) => (o.id === x.id ? x : o));
        };
        setChildren(panel,
          el('h2', {}, 'Round ', el('code', {}, r.id.slice(0, 10)), ' ', statusSlot),
          el('p', { class: 'meta' }, 'started ', time(r.created_at), ` · ${r.params.steps} steps · lr ${r.params.lr} · gate: KL −${Math.round(r.params.min_kl_reduction * 1000) / 10}% at least, OOD KL ≤ ${r.params.max_ood_kl}`,
            r.parent_version !== null ? ` · from v${r.parent_version}` : ''),
          progress, stepText, chart.figure, gateSlot, cancel, cancelError);
        update(r);
        window.clearInterval(timer);
        if (!TERMINAL.has(r.status)) {
          timer = window.setInterval(() => {
            api('GET', `v1/consolidations/${encodeURIComponent(r.id)}`, ConsolidationSchema).then((x) => {
              if (selected !== x.id) return;
              update(x);
              if (TERMINAL.has(x.status)) { window.clearInterval(timer); ctx.announce(`Round ${STATUS_TEXT[x.status].toLowerCase()}.`); renderHistory(); }
            }, (e: unknown) => { if (e instanceof ApiError && e.status === 401) window.clearInterval(timer); });
          }, POLL_MS);
        }
      };

      const renderHistory = () => {
        setChildren(history, el('h2', {}, 'All rounds'), rounds.length === 0 ? el('p', { class: 'empty' }, 'No rounds yet.') : el('div', { class: 'table-wrap' }, el('table', { class: 'data', 'data-testid': 'rounds-table' },
          el('thead', {}, el('tr', {}, ...['Started', 'Status', 'Steps', 'Gate', 'Version', ''].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, ...rounds.map((r) => el('tr', { 'aria-current': r.id === selected ? 'true' : undefined },
            el('td', {}, time(r.created_at)), el('td', {}, roundStatusBadge(r.status)), el('td', {}, `${r.progress.step}/${r.progress.total_steps}`),
            el('td', {}, r.gate ? (r.gate.passed ? 'passed' : 'failed') : '—'), el('td', {}, r.adapter_version !== null ? `v${r.adapter_version}` : '—'),
            el('td', {}, button('Show', () => { showRound(r); renderHistory(); panel.querySelector('h2')?.scrollIntoView(); }, { class: 'link', 'aria-label': `Show round started ${r.created_at}` }))))))));
      };

      const load = async () => {
        rounds = (await api('GET', 'v1/consolidations', ConsolidationListResponseSchema)).rounds;
        const pick = rounds.find((r) => r.id === selected) ?? rounds.find((r) => !TERMINAL.has(r.status)) ?? rounds[0];
        if (pick) showRound(pick); else setChildren(panel, el('p', { class: 'empty' }, 'No round has run yet.'));
        renderHistory();
      };

      if (ctx.isAdmin) {
        const status = await api('GET', 'v1/status', ServerStatusResponseSchema);
        root.append(startForm(status.round_defaults, ctx, (r) => { rounds = [r, ...rounds]; showRound(r); renderHistory(); }));
      }
      root.append(panel, history);
      await load();
    },
  };
}

function startForm(defaults: RoundParams, ctx: SectionContext, started: (r: Consolidation) => void): HTMLElement {
  const input = (name: keyof RoundParams, step: string) => el('input', { type: 'number', name, step, min: '0', value: String(defaults[name]), inputmode: 'decimal', 'data-testid': `round-${name}` });
  const controls = { steps: input('steps', '1'), lr: input('lr', 'any'), min_kl_reduction: input('min_kl_reduction', 'any'), max_ood_kl: input('max_ood_kl', 'any') };
  const fields = {
    steps: field('Steps', controls.steps, `default ${defaults.steps}`),
    lr: field('Learning rate', controls.lr, `default ${defaults.lr}`),
    min_kl_reduction: field('Gate: least held-out KL reduction (fraction)', controls.min_kl_reduction, `default ${defaults.min_kl_reduction}`),
    max_ood_kl: field('Gate: largest OOD KL(new ‖ previous)', controls.max_ood_kl, `default ${defaults.max_ood_kl}`),
  };
  const formError = el('p', { class: 'field-error', role: 'alert', 'data-testid': 'round-form-error' });
  const submit = el('button', { type: 'submit', class: 'primary', 'data-testid': 'round-start' }, 'Start round');
  const form = el('form', { class: 'card start-round', novalidate: true, 'aria-labelledby': 'start-round-title' },
    el('h2', { id: 'start-round-title' }, 'Start a round'),
    el('div', { class: 'grid' }, ...Object.values(fields).map((f) => f.wrap)), el('div', { class: 'actions' }, submit), formError);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const f of Object.values(fields)) f.setError('');
    formError.textContent = '';
    // Values go to the server as typed (numbers, or the text itself when it is not one), so the server's validation
    // and its messages are the only rules.
    const body: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(controls)) {
      const raw = c.value.trim();
      if (raw === '') continue;
      const n = Number(raw);
      body[k] = Number.isFinite(n) ? n : raw;
    }
    submit.disabled = true;
    api('POST', 'v1/consolidations', ConsolidationSchema, body).then((r) => {
      ctx.announce('Round started.');
      started(r);
    }, (err: unknown) => {
      const f = err instanceof ApiError && err.field ? fields[err.field as keyof typeof fields] : undefined;
      if (f) f.setError(err instanceof Error ? err.message : String(err));
      else formError.textContent = err instanceof Error ? err.message : String(err);
    }).finally(() => { submit.disabled = false; });
  });
  return form;
}

/** The gate's verdict with its figures and reasons, or the failure message. */
function gateView(r: Consolidation): HTMLElement | null {
  if (!r.gate) return r.message ? el('p', { class: r.status === 'failed' ? 'error' : 'notice', 'data-testid': 'round-message' }, r.message) : null;
  const g = r.gate;
  return el('div', { class: 'card', 'data-testid': 'round-gate' },
    el('h3', {}, g.passed ? 'Gate passed' : 'Gate failed'),
    el('dl', { class: 'pairs' },
      el('dt', {}, 'Held-out KL before → after'), el('dd', {}, `${num(g.heldout_kl_before)} → ${num(g.heldout_kl_after)}`),
      el('dt', {}, 'KL reduction'), el('dd', {}, `${g.kl_reduction === null ? '—' : `${num(g.kl_reduction * 100, 3)}%`} (at least ${num(g.min_kl_reduction * 100, 3)}%)`),
      el('dt', {}, 'OOD KL(new ‖ previous)'), el('dd', {}, `${num(g.ood_kl_new_vs_prev)} (at most ${num(g.max_ood_kl)})`)),
    g.reasons.length ? el('ul', { class: 'reasons', 'data-testid': 'gate-reasons' }, ...g.reasons.map((x) => el('li', {}, x))) : null,
    r.adapter_version !== null ? el('p', {}, `Released as version v${r.adapter_version}.`) : null);
}
