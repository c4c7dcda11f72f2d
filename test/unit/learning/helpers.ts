/** Real episode files for the Learning tests, written through the real TrajectoryStore. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrajectoryStore } from '../../../src/core/trajectory/store';
import type { EpisodeHeader, Step } from '../../../src/core/trajectory/episode';

/** A temp folder with `episodes/` (the store's) and room for the summary file. */
export function learningDirs(): { base: string; episodesDir: string; indexFile: string; summaryFile: string } {
  const base = mkdtempSync(join(tmpdir(), 'oel-learning-'));
  return { base, episodesDir: join(base, 'episodes'), indexFile: join(base, 'index.json'), summaryFile: join(base, 'learning-summary.jsonl') };
}

/** An episode header; `knowledge` tokens/ids and `adapter` are optional. */
export function header(id: string, startedAt: string, over: Partial<EpisodeHeader> = {}): EpisodeHeader {
  return {
    kind: 'header', schema: 1, id, title: `task ${id}`, startedAt, workspace: 'ws',
    provider: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' }, systemPrompt: { template: 'You are an agent.\n{{knowledge}}', knowledge: null }, trusted: true, ...over,
  };
}

/** A model turn with reported usage (or none). */
export function model(at: string, turn: number, totalTokens: number | null): Step {
  return {
    kind: 'model', at, turn, text: '', toolCalls: [], finishReason: 'stop', latencyMs: 5, timeToFirstTokenMs: 1,
    usage: totalTokens === null ? null : { promptTokens: totalTokens - 10, completionTokens: 10, totalTokens },
  };
}

/** A task as the agent records it: header, user request, the given steps, then `end` (unless `reason` is null). */
export async function recordTask(
  store: TrajectoryStore,
  id: string,
  startedAt: string,
  steps: Step[],
  reason: 'completed' | 'stopped' | 'max_steps' | 'error' | null = 'completed',
  over: Partial<EpisodeHeader> = {},
): Promise<void> {
  await store.create(header(id, startedAt, over));
  store.append(id, { kind: 'user', at: startedAt, text: `request ${id}` });
  for (const s of steps) store.append(id, s);
  if (reason) await store.finish(id, reason);
}

/** Opens a store on the dirs. */
export function openStore(d: { episodesDir: string; indexFile: string }): Promise<TrajectoryStore> {
  return TrajectoryStore.open({ episodesDir: d.episodesDir, indexFile: d.indexFile });
}
