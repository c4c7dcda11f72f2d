/**
 * The Learning view's cards: for each question a user asks ("do tasks complete more often?", "do its edits last?"),
 * a chart configuration, the same numbers as a table (the text alternative), and a one-sentence description for
 * screen readers. Pure apart from date formatting.
 */
import type { ChartConfiguration } from 'chart.js';
import type { LearningData } from '../core/protocol/learningView';
import { horizontalChart, timelineChart, type Marker } from './learningCharts';
import { dayLabel, num, percent } from './learningDom';
import type { Theme } from './learningTheme';

type Bucket = LearningData['buckets'][number];

/** A table cell: text or a number, or a knowledge item (its id, which reveals it when clicked, over its text). */
export type Cell = string | number | null | { itemId: string; text: string };

/** The text alternative of a chart. */
export interface Table { caption: string; columns: string[]; rows: Cell[][] }

/** One card of the view. */
export interface Card {
  key: string;
  title: string;
  /** Instead of a chart and table when there is nothing to show: says why, and what would fill it. */
  empty: string | null;
  /** Chart height in CSS pixels. */
  height: number;
  chart: () => ChartConfiguration<'bar' | 'line', (number | null)[], string> | ChartConfiguration<'bar', number[], string>;
  table: () => Table;
  /** What the chart shows, in one sentence (the canvas's accessible name). */
  describe: () => string;
}

/** Status keys with their table labels and their (shorter) axis labels, which must fit a sidebar-wide chart. */
const STATUS_LABELS = [
  ['pending', 'Pending', 'Pending'], ['accepted', 'Accepted', 'Accepted'], ['pinned', 'Pinned', 'Pinned'], ['inactive', 'Inactive', 'Inactive'],
  ['pruned', 'Pruned', 'Pruned'], ['absorbed', 'Absorbed by an adapter', 'Absorbed'],
] as const;

/** The cards for `data`, coloured with `theme`. */
export function buildCards(data: LearningData, theme: Theme): Card[] {
  const buckets = data.buckets;
  const labels = buckets.map((b) => dayLabel(b.start));
  const period = data.granularity === 'day' ? 'Day' : 'Week of';
  const active = buckets.filter((b) => b.tasks > 0);
  const markers: Marker[] = data.adapters
    .map((a) => ({ index: buckets.findIndex((b) => b.start === a.bucket), label: a.version }))
    .filter((m) => m.index >= 0);
  const t = data.totals;
  const noTasks = t.tasks === 0 ? 'No tasks in this period yet. Each task you run in the Agent view shows up here when it ends.' : null;
  const series = (pick: (b: Bucket) => number | null) => buckets.map(pick);
  const rows = (cells: (b: Bucket) => Cell[]) => active.map((b) => [dayLabel(b.start), ...cells(b)]);
  const caption = (what: string) => `${what}, by ${data.granularity}; ${data.granularity === 'day' ? 'days' : 'weeks'} without tasks are left out.`;
  const bar = (label: string, values: (number | null)[], color: string) => ({ type: 'bar' as const, label, data: values, backgroundColor: color, borderColor: color, maxBarThickness: 18 });
  const line = (label: string, values: (number | null)[], color: string) => ({ type: 'line' as const, label, data: values, borderColor: color, backgroundColor: color, pointRadius: 3, borderWidth: 2, tension: 0.2 });
  const timeline = (o: Omit<Parameters<typeof timelineChart>[0], 'labels' | 'markers' | 'theme'>) => timelineChart({ ...o, labels, markers, theme });

  const outcomeSets = ([
    ['Completed', (b: Bucket) => b.completed, theme.green],
    ['Max steps', (b: Bucket) => b.maxSteps, theme.yellow],
    ['Stopped', (b: Bucket) => b.stopped, theme.blue],
    ['Errored', (b: Bucket) => b.errored, theme.red],
    ['Unfinished', (b: Bucket) => b.unfinished, theme.grid],
  ] as const).filter(([name, pick]) => name === 'Completed' || buckets.some((b) => pick(b) > 0));

  const cards: Card[] = [
    {
      key: 'outcomes', title: 'Tasks and outcomes', empty: noTasks, height: 170,
      chart: () => timeline({ type: 'bar', stacked: true, integer: true, datasets: outcomeSets.map(([name, pick, color]) => bar(name, series(pick), color)) }),
      table: () => ({ caption: caption('Tasks and how they ended'), columns: [period, 'Tasks', 'Completed', 'Max steps', 'Stopped', 'Errored', 'Unfinished'], rows: rows((b) => [b.tasks, b.completed, b.maxSteps, b.stopped, b.errored, b.unfinished]) }),
      describe: () => `${t.tasks} tasks: ${t.completed} completed, ${t.maxSteps} hit the step limit, ${t.stopped} stopped, ${t.errored} errored, ${t.unfinished} unfinished.`,
    },
    {
      key: 'feedback', title: 'Thumbs up and down', height: 150,
      empty: noTasks ?? (t.up + t.down === 0 ? 'No feedback yet. Rate a finished task with thumbs up or down in the Agent view.' : null),
      chart: () => timeline({ type: 'bar', integer: true, datasets: [bar('Up', series((b) => b.up), theme.green), bar('Down', series((b) => b.down), theme.red)] }),
      table: () => ({ caption: caption('Feedback on tasks'), columns: [period, 'Tasks', 'Thumbs up', 'Thumbs down'], rows: rows((b) => [b.tasks, b.up, b.down]) }),
      describe: () => `${t.up} thumbs up and ${t.down} thumbs down over ${t.tasks} tasks.`,
    },
    {
      key: 'signals', title: 'Edits and commands', height: 170,
      empty: noTasks ?? (t.editsProposed + t.commands === 0 ? 'No edits proposed and no commands run in this period.' : null),
      chart: () => timeline({
        type: 'line', percent: true, datasets: [
          line('Edits accepted', series((b) => percent(b.editsAccepted, b.editsProposed)), theme.blue),
          line('Edits still standing', series((b) => percent(b.editsStanding, b.editsChecked)), theme.green),
          line('Commands passing', series((b) => percent(b.commandsPassed, b.commands)), theme.orange),
        ],
      }),
      table: () => ({
        caption: caption('Edits accepted (of proposed), still standing (of those checked later), and commands exiting 0 (of those run)'),
        columns: [period, 'Edits proposed', 'Accepted', 'Checked', 'Still standing', 'Commands run', 'Passing'],
        rows: rows((b) => [b.editsProposed, b.editsAccepted, b.editsChecked, b.editsStanding, b.commands, b.commandsPassed]),
      }),
      describe: () => `${t.editsAccepted} of ${t.editsProposed} edits accepted, ${t.editsStanding} of ${t.editsChecked} checked edits still standing, ${t.commandsPassed} of ${t.commands} commands passing.`,
    },
    {
      key: 'steps', title: 'Steps per task', empty: noTasks, height: 140,
      chart: () => timeline({ type: 'bar', datasets: [bar('Model turns per task', series((b) => b.stepsPerTask), theme.blue)] }),
      table: () => ({ caption: caption('Model turns per task'), columns: [period, 'Tasks', 'Steps per task'], rows: rows((b) => [b.tasks, b.stepsPerTask]) }),
      describe: () => `${num(t.stepsPerTask)} model turns per task on average.`,
    },
    {
      key: 'tokens', title: 'Tokens per task', height: 140,
      empty: noTasks ?? (t.tokensPerTask === null ? 'The provider reported no token usage for these tasks.' : null),
      chart: () => timeline({ type: 'line', datasets: [line('Tokens per task', series((b) => b.tokensPerTask), theme.purple)] }),
      table: () => ({ caption: caption('Tokens the provider reported per task'), columns: [period, 'Tasks', 'Tokens per task'], rows: rows((b) => [b.tasks, b.tokensPerTask]) }),
      describe: () => `${num(t.tokensPerTask)} tokens per task on average.`,
    },
    {
      key: 'knowledge', title: 'Knowledge in the prompt', empty: noTasks, height: 150,
      chart: () => timeline({
        type: 'bar', datasets: [
          bar('Knowledge tokens per task', series((b) => b.knowledgeTokensPerTask), theme.orange),
          ...(t.adapterTasks ? [line('Tokens saved by the adapter', series((b) => b.tokensSavedPerTask), theme.green)] : []),
        ],
      }),
      table: () => ({
        caption: caption('Tokens of learned knowledge in the system prompt per task, and prompt tokens an active adapter saved'),
        columns: [period, 'Tasks', 'Knowledge tokens per task', 'Tasks with an adapter', 'Tokens saved per task'],
        rows: rows((b) => [b.tasks, b.knowledgeTokensPerTask, b.adapterTasks, b.tokensSavedPerTask]),
      }),
      describe: () => `${num(t.knowledgeTokensPerTask)} tokens of learned knowledge in the prompt per task on average${t.adapterTasks ? `; an adapter saved ${num(t.tokensSavedPerTask)} tokens per task` : ''}.`,
    },
  ];

  const s = data.statuses;
  const statusTotal = s.pending + s.accepted + s.pinned + s.inactive + s.pruned;
  const statusColors = [theme.yellow, theme.green, theme.blue, theme.grid, theme.red, theme.purple];
  cards.push({
    key: 'statuses', title: 'Learned items by status', height: 150,
    empty: statusTotal === 0 ? 'Nothing learned yet. After a task, the agent proposes what it learned; review it in the Knowledge view.' : null,
    chart: () => horizontalChart(STATUS_LABELS.map(([, , axis]) => axis), [{ label: 'Items', data: STATUS_LABELS.map(([k]) => s[k]), backgroundColor: statusColors, borderColor: statusColors, maxBarThickness: 16 }]),
    table: () => ({
      caption: 'Items in the workspace and user knowledge files, by status now. Absorbed and flagged items are also counted under their status.',
      columns: ['Status', 'Items'],
      rows: [...STATUS_LABELS.map(([k, l]) => [l, s[k]] as Cell[]), ['Flagged for review', s.flagged]],
    }),
    describe: () => `${s.pending} pending, ${s.accepted} accepted, ${s.pinned} pinned, ${s.inactive} inactive, ${s.pruned} pruned items; ${s.absorbed} absorbed by an adapter.`,
  });

  const top = data.topCited;
  cards.push({
    key: 'cited', title: 'Most cited items', height: Math.max(120, 50 + top.length * 26),
    empty: top.length ? null : 'No answer has cited a learned item yet.',
    chart: () => horizontalChart(top.map((c) => c.id), [
      { label: 'Cited in tasks', data: top.map((c) => c.cited), backgroundColor: theme.blue, borderColor: theme.blue, maxBarThickness: 10 },
      { label: 'Helpful', data: top.map((c) => c.helpful), backgroundColor: theme.green, borderColor: theme.green, maxBarThickness: 10 },
      { label: 'Harmful', data: top.map((c) => c.harmful), backgroundColor: theme.red, borderColor: theme.red, maxBarThickness: 10 },
    ], (i) => `${top[i].id}: ${top[i].text ?? '(no longer in the knowledge files)'}`),
    table: () => ({
      caption: 'Items cited in the most tasks (all time), with the helpful and harmful evidence the knowledge files record.',
      columns: ['Item', 'Status', 'Cited', 'Helpful', 'Harmful'],
      rows: top.map((c) => [{ itemId: c.id, text: c.text ?? '(no longer in the knowledge files)' }, c.status ?? '–', c.cited, c.helpful, c.harmful]),
    }),
    describe: () => top.map((c) => `${c.id} cited in ${c.cited} tasks, ${c.helpful} helpful, ${c.harmful} harmful`).join('; ') + '.',
  });
  return cards;
}
