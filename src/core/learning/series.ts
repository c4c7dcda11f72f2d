/**
 * Turns per-episode facts into what the Learning view plots: one bucket per day or week (in the local time of the
 * machine the extension runs on), totals over the window, and the adapter versions as markers. Pure functions.
 */
import type { EpisodeFacts } from './facts';

/** How the timeline is cut. */
export type Granularity = 'day' | 'week';

/** How many buckets each granularity shows at most: 30 days, or 26 weeks (half a year). */
export const WINDOW: Record<Granularity, number> = { day: 30, week: 26 };
/**
 * The fewest buckets shown: empty buckets before the first task are trimmed down to this, so a user with two weeks of
 * history does not see them squeezed against the right edge of half a year.
 */
export const MIN_BUCKETS: Record<Granularity, number> = { day: 14, week: 8 };

/** Counts of one bucket (or of the whole window), plus the per-task averages the charts plot. */
export interface Bucket {
  /** Local date `YYYY-MM-DD` the bucket starts on (a Monday for weeks). */
  start: string;
  tasks: number;
  completed: number;
  maxSteps: number;
  stopped: number;
  errored: number;
  /** Still running, or the process died before the task ended. */
  unfinished: number;
  up: number;
  down: number;
  editsProposed: number;
  editsAccepted: number;
  editsChecked: number;
  editsStanding: number;
  commands: number;
  commandsPassed: number;
  /** Model turns per task (null without tasks). */
  stepsPerTask: number | null;
  /** Provider-reported tokens per task, over the tasks that reported usage (null when none did). */
  tokensPerTask: number | null;
  /** Knowledge tokens in the system prompt per task (null without tasks). */
  knowledgeTokensPerTask: number | null;
  /** Tasks that ran with an adapter. */
  adapterTasks: number;
  /** Prompt tokens saved by the adapter per task that ran with one and recorded it (null when none did). */
  tokensSavedPerTask: number | null;
}

/** An adapter version as a timeline marker. */
export interface AdapterMarker {
  version: string;
  /** Start of the bucket of the first task that ran with it, or null when that was before the window. */
  bucket: string | null;
  /** When the first task with it started. */
  firstSeen: string;
  /** When the last task with it started. */
  lastSeen: string;
  tasks: number;
  tokensSavedPerTask: number | null;
}

/** Everything the timeline charts need. */
export interface Timeline {
  granularity: Granularity;
  buckets: Bucket[];
  /** The window added up. */
  totals: Bucket;
  /** Tasks that started before the window (left out of the buckets). */
  earlier: number;
  /** Adapter versions in the order they first appeared. */
  adapters: AdapterMarker[];
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Local calendar date of `d` as `YYYY-MM-DD`. */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight that starts the bucket holding `d` (weeks start on Monday). */
export function bucketStart(d: Date, g: Granularity): Date {
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  if (g === 'week') start.setDate(start.getDate() - ((start.getDay() + 6) % 7));
  return start;
}

interface Acc {
  b: Bucket;
  steps: number;
  tokens: number;
  withUsage: number;
  knowledgeTokens: number;
  saved: number;
  withSaved: number;
}

function emptyAcc(start: string): Acc {
  return {
    b: {
      start, tasks: 0, completed: 0, maxSteps: 0, stopped: 0, errored: 0, unfinished: 0, up: 0, down: 0,
      editsProposed: 0, editsAccepted: 0, editsChecked: 0, editsStanding: 0, commands: 0, commandsPassed: 0,
      stepsPerTask: null, tokensPerTask: null, knowledgeTokensPerTask: null, adapterTasks: 0, tokensSavedPerTask: null,
    },
    steps: 0, tokens: 0, withUsage: 0, knowledgeTokens: 0, saved: 0, withSaved: 0,
  };
}

function add(a: Acc, f: EpisodeFacts): void {
  const b = a.b;
  b.tasks++;
  switch (f.outcome) {
    case 'completed': b.completed++; break;
    case 'max_steps': b.maxSteps++; break;
    case 'stopped': b.stopped++; break;
    case 'error': b.errored++; break;
    default: b.unfinished++; break;
  }
  if (f.feedback === 'up') b.up++;
  if (f.feedback === 'down') b.down++;
  b.editsProposed += f.editsProposed;
  b.editsAccepted += f.editsAccepted;
  b.editsChecked += f.editsChecked;
  b.editsStanding += f.editsStanding;
  b.commands += f.commands;
  b.commandsPassed += f.commandsPassed;
  a.steps += f.steps;
  if (f.hasUsage) { a.tokens += f.tokens; a.withUsage++; }
  a.knowledgeTokens += f.knowledgeTokens;
  if (f.adapter) b.adapterTasks++;
  if (f.adapter && f.tokensSaved !== null) { a.saved += f.tokensSaved; a.withSaved++; }
}

const avg = (sum: number, n: number): number | null => (n ? Math.round((sum / n) * 10) / 10 : null);

function finish(a: Acc): Bucket {
  const b = a.b;
  b.stepsPerTask = avg(a.steps, b.tasks);
  b.tokensPerTask = avg(a.tokens, a.withUsage);
  b.knowledgeTokensPerTask = avg(a.knowledgeTokens, b.tasks);
  b.tokensSavedPerTask = avg(a.saved, a.withSaved);
  return b;
}

/**
 * Buckets the facts of the window that ends with the bucket holding `now`: up to {@link WINDOW} buckets, empty ones
 * included so the axis is proportional to time, less the empty ones before the first task when the history
 * starts inside the window (down to {@link MIN_BUCKETS}). Facts may come in any order.
 */
export function buildTimeline(facts: readonly EpisodeFacts[], g: Granularity, now = new Date()): Timeline {
  const n = WINDOW[g];
  const starts: string[] = [];
  const last = bucketStart(now, g);
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(last);
    if (g === 'day') d.setDate(d.getDate() - i);
    else d.setDate(d.getDate() - 7 * i);
    starts.push(localDate(d));
  }
  const accs = new Map(starts.map((s) => [s, emptyAcc(s)]));
  const total = emptyAcc(starts[0]);
  let earlier = 0;
  const adapters = new Map<string, { m: AdapterMarker; saved: number; withSaved: number }>();
  for (const f of facts) {
    const t = new Date(f.startedAt);
    if (Number.isNaN(t.getTime())) continue;
    const key = localDate(bucketStart(t, g));
    const acc = accs.get(key);
    if (f.adapter) {
      let a = adapters.get(f.adapter);
      if (!a) {
        a = { m: { version: f.adapter, bucket: null, firstSeen: f.startedAt, lastSeen: f.startedAt, tasks: 0, tokensSavedPerTask: null }, saved: 0, withSaved: 0 };
        adapters.set(f.adapter, a);
      }
      a.m.tasks++;
      if (f.startedAt < a.m.firstSeen) a.m.firstSeen = f.startedAt;
      if (f.startedAt > a.m.lastSeen) a.m.lastSeen = f.startedAt;
      if (f.tokensSaved !== null) { a.saved += f.tokensSaved; a.withSaved++; }
    }
    if (!acc) {
      if (key < starts[0]) earlier++;
      continue;
    }
    add(acc, f);
    add(total, f);
  }
  const markers = [...adapters.values()].map(({ m, saved, withSaved }) => {
    const key = localDate(bucketStart(new Date(m.firstSeen), g));
    return { ...m, bucket: accs.has(key) ? key : null, tokensSavedPerTask: avg(saved, withSaved) };
  }).sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  const buckets = starts.map((s) => finish(accs.get(s)!));
  const first = buckets.findIndex((b) => b.tasks > 0);
  // Only a history that starts inside the window is trimmed; an older one shows the whole window.
  const trim = earlier ? 0 : Math.min(first < 0 ? buckets.length : first, buckets.length - MIN_BUCKETS[g]);
  return { granularity: g, buckets: buckets.slice(Math.max(0, trim)), totals: finish(total), earlier, adapters: markers };
}
