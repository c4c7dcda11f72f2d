// The agent loop's overhead over a bare `openai` stream call: time to first token through AgentSession (prompt build,
// tools list, recording, events) minus the same through client.chat.completions.create directly, against the scripted
// server on loopback. Median over many interleaved iterations. Target: <= 5 ms.
// Run: node --import tsx bench/agent/loop.bench.ts   (prints one JSON line)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedModel } from '../../test/support/scriptedModel';
import { AgentSession } from '../../src/core/agent/session';
import { StoreRecorder } from '../../src/core/agent/recorder';
import { createClient } from '../../src/core/provider/provider';
import { NodeToolHost } from '../../src/core/tools/nodeToolHost';
import { TrajectoryStore } from '../../src/core/trajectory/store';
import { meetsTarget } from '../target';

const ITERATIONS = Number(process.env.OEL_BENCH_ITERATIONS ?? 200);
const model = await startScriptedModel();
const provider = { baseUrl: model.url, model: 'scripted-model' };
const client = createClient(provider);
const base = mkdtempSync(join(tmpdir(), 'oel-bench-loop-'));
const store = await TrajectoryStore.open({ episodesDir: join(base, 'episodes'), indexFile: join(base, 'index.json') });
const host = new NodeToolHost(base);
const answer = { text: 'The answer is forty-two.', chunkSize: 8 };

async function bare(): Promise<number> {
  model.enqueue(answer);
  const t0 = performance.now();
  let ttft = -1;
  const stream = await client.chat.completions.create({ model: provider.model, messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'question' }], stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) if (ttft < 0 && chunk.choices[0]?.delta.content) ttft = performance.now() - t0;
  return ttft;
}

async function agent(): Promise<number> {
  model.enqueue(answer);
  let ttft = -1;
  const t0 = performance.now();
  const session = new AgentSession({
    provider, client, host, approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true, recorder: new StoreRecorder(store),
    onEvent: (e) => { if (ttft < 0 && e.type === 'text_delta') ttft = performance.now() - t0; },
  });
  await session.start('question');
  return ttft;
}

for (let i = 0; i < 20; i++) { await bare(); await agent(); } // warm-up: JIT, keep-alive sockets
const diffs: number[] = [];
const bares: number[] = [];
const agents: number[] = [];
for (let i = 0; i < ITERATIONS; i++) {
  const b = await bare();
  const a = await agent();
  bares.push(b); agents.push(a); diffs.push(a - b);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ bench: 'agent_loop_overhead_ttft', iterations: ITERATIONS, bareTtftMedianMs: +median(bares).toFixed(3), agentTtftMedianMs: +median(agents).toFixed(3), overheadMedianMs: +median(diffs).toFixed(3) }));
meetsTarget('agent-loop overhead on time to first token, median', median(diffs), { max: 5 }, ' ms');
store.close();
await model.close();
