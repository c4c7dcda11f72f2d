/** Shared builders for knowledge tests. */
import type { KnowledgeItem } from '../../../src/core/knowledge/format';
import type { Episode, Step } from '../../../src/core/trajectory/episode';

/** A knowledge item with defaults. */
export function item(id: string, text: string, over: Partial<KnowledgeItem> = {}): KnowledgeItem {
  return {
    id, status: 'accepted', text, scope: 'workspace', sources: [], created: '2026-01-01T00:00:00.000Z', updated: '2026-01-01T00:00:00.000Z',
    helpful: 0, harmful: 0, consolidated: false, flags: [], extra: [], ...over,
  };
}

/** A synthetic episode with `n` model/tool step pairs and outcome signals. */
export function syntheticEpisode(n: number, extra: Step[] = []): Episode {
  const at = '2026-01-01T00:00:00.000Z';
  const steps: Step[] = [{ kind: 'user', at, text: 'Fix the failing test in src/math.ts' }];
  for (let i = 0; i < n; i++) {
    steps.push({ kind: 'model', at, turn: i, text: `Step ${i}: I will inspect the file.`, toolCalls: [{ id: `c${i}`, name: 'read_file', arguments: JSON.stringify({ path: `src/f${i}.ts` }) }], finishReason: 'tool_calls', usage: null, latencyMs: 10, timeToFirstTokenMs: 5 });
    steps.push({ kind: 'tool', at, callId: `c${i}`, name: 'read_file', args: { path: `src/f${i}.ts` }, status: 'ok', output: `export const x${i} = ${i};\n`.repeat(80), originalSize: 2000, truncated: false, durationMs: 1 });
  }
  steps.push({ kind: 'command', at, callId: 'cmd', command: 'npm test', exitCode: 0, timedOut: false, cancelled: false, durationMs: 900 });
  steps.push(...extra, { kind: 'end', at, reason: 'completed' });
  return {
    schema: 1, id: '20260101T000000Z-abcd1234', title: 'Fix test', startedAt: at, workspace: 'ws',
    provider: { baseUrl: 'http://127.0.0.1:1/v1', model: 'scripted-model' }, systemPrompt: { template: '{{knowledge}}', knowledge: null }, trusted: true,
    steps, endReason: 'completed',
  };
}
