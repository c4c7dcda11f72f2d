import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTimeline, bucketStart, localDate, MIN_BUCKETS, WINDOW } from '../../../src/core/learning/series';
import type { EpisodeFacts } from '../../../src/core/learning/facts';

// Noon UTC is the same calendar day in every time zone from UTC-11 to UTC+11, so these tests hold wherever they run.
const noon = (iso: string) => `${iso}T12:00:00.000Z`;

function facts(id: string, startedAt: string, over: Partial<EpisodeFacts> = {}): EpisodeFacts {
  return {
    id, startedAt, endedAt: startedAt, outcome: 'completed', feedback: null, steps: 4, tokens: 1000, hasUsage: true,
    knowledgeTokens: 0, knowledgeItems: 0, editsProposed: 0, editsAccepted: 0, editsChecked: 0, editsStanding: 0,
    commands: 0, commandsPassed: 0, cited: [], adapter: null, tokensSaved: null, ...over,
  };
}

test('by day: 30 contiguous local days ending today, with outcomes, feedback, edits, commands and per-task averages', () => {
  const now = new Date(noon('2026-03-30'));
  const t = buildTimeline([
    facts('a', noon('2026-03-29'), { outcome: 'completed', feedback: 'up', steps: 2, tokens: 1000, knowledgeTokens: 100, editsProposed: 2, editsAccepted: 2, editsChecked: 2, editsStanding: 1, commands: 2, commandsPassed: 1 }),
    facts('b', noon('2026-03-29'), { outcome: 'error', feedback: 'down', steps: 6, hasUsage: false, tokens: 0, knowledgeTokens: 300 }),
    facts('c', noon('2026-03-29'), { outcome: null, steps: 1, tokens: 500 }),
    facts('d', noon('2026-03-01'), { outcome: 'stopped' }),
    facts('e', noon('2026-03-01'), { outcome: 'max_steps' }),
    facts('old', noon('2026-01-15')),
  ], 'day', now);
  assert.equal(t.buckets.length, WINDOW.day);
  assert.equal(t.buckets.at(-1)!.start, localDate(now));
  assert.equal(t.buckets[0].start, localDate(new Date(noon('2026-03-01'))));
  const b = t.buckets.find((x) => x.start === localDate(new Date(noon('2026-03-29'))))!;
  assert.deepEqual([b.tasks, b.completed, b.errored, b.unfinished, b.up, b.down], [3, 1, 1, 1, 1, 1]);
  assert.deepEqual([b.editsProposed, b.editsAccepted, b.editsChecked, b.editsStanding, b.commands, b.commandsPassed], [2, 2, 2, 1, 2, 1]);
  assert.equal(b.stepsPerTask, 3);
  assert.equal(b.tokensPerTask, 750, 'tasks without reported usage do not pull the average down');
  assert.equal(b.knowledgeTokensPerTask, 133.3);
  const first = t.buckets[0];
  assert.deepEqual([first.tasks, first.stopped, first.maxSteps], [2, 1, 1]);
  assert.equal(t.buckets.filter((x) => x.tasks === 0).length, 28, 'empty days are kept so the axis is proportional to time');
  assert.equal(t.buckets[1].stepsPerTask, null);
  assert.equal(t.earlier, 1);
  assert.equal(t.totals.tasks, 5);
});

test('by week: Monday-based weeks, up to 26 of them; empty weeks before the first task are trimmed', () => {
  assert.equal(bucketStart(new Date(2026, 2, 29, 15), 'week').getDay(), 1, 'a Sunday belongs to the week that began on Monday');
  assert.equal(localDate(bucketStart(new Date(2026, 2, 29, 15), 'week')), '2026-03-23');
  assert.equal(localDate(bucketStart(new Date(2026, 2, 23, 0, 0, 1), 'week')), '2026-03-23');
  const t = buildTimeline([facts('a', noon('2026-03-24')), facts('b', noon('2026-03-26')), facts('c', noon('2026-03-17'))], 'week', new Date(noon('2026-03-27')));
  assert.equal(t.buckets.length, MIN_BUCKETS.week, 'two weeks of history are not squeezed into half a year');
  assert.deepEqual(t.buckets.slice(-2).map((b) => [b.start, b.tasks]), [['2026-03-16', 1], ['2026-03-23', 2]]);
  const long = buildTimeline([facts('a', noon('2025-11-04')), facts('b', noon('2026-03-26'))], 'week', new Date(noon('2026-03-27')));
  assert.equal(long.buckets.length, 21, 'from the week of the first task to this week');
  assert.equal(long.buckets[0].tasks, 1);
  const older = buildTimeline([facts('a', noon('2025-01-04')), facts('b', noon('2026-03-26'))], 'week', new Date(noon('2026-03-27')));
  assert.deepEqual([older.buckets.length, older.earlier], [WINDOW.week, 1]);
  assert.equal(buildTimeline([], 'day', new Date(noon('2026-03-27'))).buckets.length, MIN_BUCKETS.day);
});

test('adapter versions become markers at the bucket of their first task, with tokens saved per task', () => {
  const t = buildTimeline([
    facts('a', noon('2026-03-10')),
    facts('b', noon('2026-03-12'), { adapter: 'team#v1', tokensSaved: 100 }),
    facts('c', noon('2026-03-14'), { adapter: 'team#v1', tokensSaved: 300 }),
    facts('d', noon('2026-03-20'), { adapter: 'team#v2', tokensSaved: null }),
    facts('e', noon('2025-12-01'), { adapter: 'team#v0', tokensSaved: 50 }),
  ], 'day', new Date(noon('2026-03-30')));
  assert.deepEqual(t.adapters.map((a) => [a.version, a.bucket, a.tasks, a.tokensSavedPerTask]), [
    ['team#v0', null, 1, 50],
    ['team#v1', localDate(new Date(noon('2026-03-12'))), 2, 200],
    ['team#v2', localDate(new Date(noon('2026-03-20'))), 1, null],
  ]);
  const b = t.buckets.find((x) => x.start === localDate(new Date(noon('2026-03-14'))))!;
  assert.deepEqual([b.adapterTasks, b.tokensSavedPerTask], [1, 300]);
  assert.equal(t.totals.tokensSavedPerTask, 200);
});
