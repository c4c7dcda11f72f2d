/**
 * The Learning view's script (browser, bundled to dist/webview/learning.js with Chart.js). Shows the data the host
 * sends (src/core/protocol/learningView.ts) as cards of charts, each with a Table toggle as its text alternative.
 * The host validates every message it posts, so this bundle imports the protocol's types only and stays free of zod.
 */
import type { Granularity, LearningData, LearningFromWebview, LearningToWebview } from '../core/protocol/learningView';
import { buildCards, type Card, type Cell } from './learningCards';
import { applyThemeDefaults, draw, type Chart } from './learningCharts';
import { dayLabel, el, icon, num, percent } from './learningDom';
import { onThemeChange, readTheme } from './learningTheme';

declare function acquireVsCodeApi(): { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };

interface ViewState { granularity: Granularity; tables: string[] }

const vscode = acquireVsCodeApi();
const post = (msg: LearningFromWebview) => vscode.postMessage(msg);
const saved = vscode.getState() as Partial<ViewState> | undefined;
const state: ViewState = {
  granularity: saved?.granularity === 'week' ? 'week' : 'day',
  tables: Array.isArray(saved?.tables) ? saved.tables.filter((k): k is string => typeof k === 'string') : [],
};
let data: LearningData | null = null;
let charts: Chart[] = [];

const app = document.getElementById('app')!;
// A style or script the CSP refused would leave a chart blank without a word: count them where tests can see.
let cspViolations = 0;
document.addEventListener('securitypolicyviolation', (e) => {
  cspViolations++;
  app.dataset.cspViolations = String(cspViolations);
  console.warn(`OEL learning view: CSP refused ${e.violatedDirective} ${e.blockedURI}`);
});

function granularityButton(g: Granularity, label: string): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'segment', 'data-testid': `granularity-${g}`, 'aria-pressed': String(state.granularity === g) }, label);
  b.addEventListener('click', () => {
    if (state.granularity === g) return;
    state.granularity = g;
    vscode.setState(state);
    post({ type: 'setGranularity', granularity: g });
  });
  return b;
}
const byDay = granularityButton('day', 'By day');
const byWeek = granularityButton('week', 'By week');
// Refresh is the view's title-bar action (oel.learning.refresh), like the Knowledge and History views'.
const toolbar = el('div', { class: 'toolbar' }, el('div', { class: 'segmented', role: 'group', 'aria-label': 'Time scale' }, byDay, byWeek));
const status = el('div', { class: 'status', role: 'status', 'data-testid': 'status' });
const headline = el('p', { class: 'headline', 'data-testid': 'headline' });
const cardsBox = el('div', { class: 'cards' });
const adapters = el('section', { class: 'card adapters', 'data-testid': 'adapters', 'aria-labelledby': 'adapters-title' });
app.append(toolbar, status, headline, cardsBox, adapters);

function cellNode(c: Cell): Node {
  if (c !== null && typeof c === 'object') {
    const a = el('a', { href: '#', class: 'item-id', 'data-testid': 'knowledge-id', title: 'Reveal in the knowledge file' }, c.itemId);
    a.addEventListener('click', (e) => { e.preventDefault(); post({ type: 'revealKnowledge', id: c.itemId }); });
    return el('span', { class: 'item' }, a, el('span', { class: 'item-text' }, c.text));
  }
  return document.createTextNode(typeof c === 'number' ? num(c) : c ?? '–');
}

function tableOf(card: Card): HTMLElement {
  const t = card.table();
  const noteId = `note-${card.key}`;
  // Columns of numbers are right-aligned, their headers too, so digits line up under them.
  const numeric = t.columns.map((_, i) => i > 0 && t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number' || r[i] === null));
  const table = el('table', { 'data-testid': 'table', 'aria-describedby': noteId },
    el('caption', { class: 'sr-only' }, card.title),
    el('thead', {}, el('tr', {}, ...t.columns.map((c, i) => el('th', { scope: 'col', class: numeric[i] ? 'n' : '' }, c)))),
    el('tbody', {}, ...t.rows.map((r) => el('tr', {}, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, cellNode(c)) : el('td', { class: numeric[i] ? 'n' : '' }, cellNode(c))))))));
  // The explanation sits outside the scrolling box, so it wraps at the card's width even when the table is wider.
  return el('div', {}, el('p', { class: 'note', id: noteId }, t.caption), el('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-label': `${card.title}, table` }, table));
}

function renderCard(card: Card): HTMLElement {
  const asTable = state.tables.includes(card.key);
  const titleId = `title-${card.key}`;
  const section = el('section', { class: 'card', 'data-testid': 'card', 'data-card': card.key, 'aria-labelledby': titleId });
  const head = el('div', { class: 'card-head' }, el('h2', { id: titleId }, card.title));
  section.append(head);
  if (card.empty) {
    section.dataset.view = 'empty';
    section.append(el('p', { class: 'empty', 'data-testid': 'empty' }, card.empty));
    return section;
  }
  section.dataset.view = asTable ? 'table' : 'chart';
  const toggle = el('button', { type: 'button', class: 'toggle', 'data-testid': 'toggle-table', 'aria-pressed': String(asTable), title: asTable ? 'Show as a chart' : 'Show as a table' },
    icon(asTable ? 'graph' : 'table'), el('span', {}, asTable ? 'Chart' : 'Table'));
  toggle.addEventListener('click', () => {
    state.tables = asTable ? state.tables.filter((k) => k !== card.key) : [...state.tables, card.key];
    vscode.setState(state);
    render();
  });
  head.append(toggle);
  if (asTable) {
    section.append(tableOf(card));
  } else {
    const canvas = el('canvas', { role: 'img', 'data-testid': 'chart', 'aria-label': `${card.title}. ${card.describe()} Use the Table button for the numbers.` });
    const box = el('div', { class: 'chart-box' }, canvas);
    // CSSOM, not a style attribute: the CSP has no 'unsafe-inline' for styles, and needs none for this.
    box.style.height = `${card.height}px`;
    section.append(box);
    // Drawn after the section is in the document, so Chart.js can measure its box.
    queueMicrotask(() => charts.push(draw(canvas, card.chart())));
  }
  return section;
}

function renderHeadline(d: LearningData): void {
  const t = d.totals;
  const window = d.granularity === 'day' ? 'the last 30 days' : 'the last 26 weeks';
  if (!d.episodes) {
    headline.textContent = 'No tasks yet. Run a task in the Agent view: this view shows, over time, how tasks end, what they cost, and what the agent learned.';
    return;
  }
  const parts = [`${num(t.tasks)} task${t.tasks === 1 ? '' : 's'} in ${window}`];
  if (t.tasks) parts.push(`${percent(t.completed, t.tasks)}% completed`);
  if (t.up + t.down) parts.push(`${t.up} thumbs up, ${t.down} down`);
  headline.textContent = `${parts.join(' · ')}.${d.earlier ? ` ${num(d.earlier)} earlier task${d.earlier === 1 ? ' is' : 's are'} outside this window.` : ''}`;
}

function renderAdapters(d: LearningData): void {
  adapters.replaceChildren(el('div', { class: 'card-head' }, el('h2', { id: 'adapters-title' }, 'Adapter versions')));
  if (!d.adapters.length) {
    adapters.append(el('p', { class: 'empty' }, 'No adapter yet. When your team\'s consolidated adapter is active, each version shows here and as a dashed line on the timelines, with the prompt tokens it saves per task.'));
    return;
  }
  adapters.append(el('ul', { class: 'adapter-list' }, ...d.adapters.map((a) => el('li', {},
    el('span', { class: 'adapter-version' }, a.version),
    el('span', { class: 'muted' }, ` · first used ${dayLabel(a.firstSeen.slice(0, 10))}, ${num(a.tasks)} task${a.tasks === 1 ? '' : 's'}${a.tokensSavedPerTask !== null ? `, ${num(a.tokensSavedPerTask)} prompt tokens saved per task` : ''}${a.bucket ? '' : ' (before this window)'}`)))));
}

function render(): void {
  for (const c of charts) c.destroy();
  charts = [];
  byDay.setAttribute('aria-pressed', String(state.granularity === 'day'));
  byWeek.setAttribute('aria-pressed', String(state.granularity === 'week'));
  if (!data) return;
  const theme = readTheme();
  applyThemeDefaults(theme);
  renderHeadline(data);
  cardsBox.replaceChildren(...buildCards(data, theme).map(renderCard));
  renderAdapters(data);
  app.dataset.granularity = data.granularity;
  app.dataset.tasks = String(data.totals.tasks);
  app.dataset.ready = 'true';
}

function handle(msg: LearningToWebview): void {
  switch (msg.type) {
    case 'data':
      data = msg.data;
      state.granularity = msg.data.granularity;
      status.replaceChildren();
      render();
      break;
    case 'progress':
      status.replaceChildren(icon('loading'), el('span', { 'data-testid': 'progress' }, `Reading task history… ${num(msg.done)} of ${num(msg.total)}`));
      break;
    case 'error':
      status.replaceChildren(el('div', { class: 'notice error', role: 'alert', 'data-testid': 'error' }, icon('error'), el('span', {}, msg.message)));
      break;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = event.data as LearningToWebview | undefined;
  if (msg && typeof msg === 'object' && typeof msg.type === 'string') handle(msg);
});
// The theme changed: the CSS variables the charts read changed with it.
onThemeChange(() => render());
render();
post({ type: 'ready', granularity: state.granularity });
