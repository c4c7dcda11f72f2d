// The embedded llama.cpp runtime (node-llama-cpp 3.21.1, CPU) against the trainer's PyTorch sampler
// (oel_trainer.sampling.generate), in the same run, on the same tiny model (init-tiny; the GGUF is export-gguf's F32
// copy) and the same prompt ids, greedy, same thread count: prompt tokens/s, generation tokens/s, time to first token,
// memory. Then, through the product's own LocalModel (the worker process): model load, adapter load, adapter swap and
// rollback, each with the worker's RSS. Ratios are embedded / PyTorch from this one run.
// Run: npm run build && node --import tsx bench/runtime/embedded.bench.ts   (prints one JSON line and the verdicts)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { LocalModel } from '../../src/core/provider/embedded/localModel';
import { toolsForModel } from '../../src/core/tools/definitions';
import { autoThreads } from '../../src/core/provider/embedded/threads';
import { availableParallelism } from 'node:os';
import { createTinyGguf } from '../../test/support/tinyGguf';
import { PYTHON, TRAINER_PATH } from '../../test/support/tinyModel';
import { meetsTarget } from '../target';

// Both sides get the same thread count: OEL_BENCH_THREADS, by default what the product's worker picks for
// `oel.llamacpp.threads: 0` on this machine (autoThreads: the cores less one, 1 on the 2-core dev machine).
const THREADS = Number(process.env.OEL_BENCH_THREADS ?? autoThreads(availableParallelism()));
const PROMPT_TOKENS = 256;
const GENERATE = 64;
const RUNS = 5;
/** Big enough that the numbers are the runtimes' arithmetic, not per-call overhead (about 6 MB of F32 weights). */
const MODEL = { hidden: 256, layers: 4, heads: 4, kvHeads: 2 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (b: number): number => Math.round(b / 1048576 * 10) / 10;

const gguf = createTinyGguf(MODEL);
const gguf2 = createTinyGguf(MODEL, 8); // a second adapter of the same shape, for the swap
// Printable bytes of the byte-level vocabulary (ids 32..126), deterministic.
const prompt = Array.from({ length: PROMPT_TOKENS }, (_, i) => 32 + ((i * 37) % 95));

// PyTorch: the trainer's sampler in its own process.
const specPath = join(gguf.dir, 'bench-spec.json');
writeFileSync(specPath, JSON.stringify({ model: gguf.modelDir, prompt, generate: GENERATE, runs: RUNS, threads: THREADS }));
const torch = JSON.parse(execFileSync(PYTHON, [resolve('bench/runtime/torch_sampler.py'), specPath], {
  env: { ...process.env, PYTHONPATH: TRAINER_PATH }, encoding: 'utf8', maxBuffer: 16 << 20,
})) as { loadMs: number; promptTokensPerS: number; ttftMs: number; genTokensPerS: number; greedy: number[]; rssGrowthBytes: number; peakRssBytes: number };

// Embedded: node-llama-cpp in this process, the same ids.
const rss0 = process.memoryUsage().rss;
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
let t = performance.now();
const model = await llama.loadModel({ modelPath: gguf.base });
const context = await model.createContext({ contextSize: 1024, threads: THREADS });
const loadMs = performance.now() - t;
const seq = context.getSequence();
const ids = prompt as Token[];
const promptMs: number[] = []; const ttftMs: number[] = []; const genMs: number[] = [];
let greedy: number[] = [];
for (let r = 0; r <= RUNS; r++) { // run 0 warms up
  await seq.clearHistory();
  t = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(ids);
  const p = performance.now() - t;
  await seq.clearHistory();
  const out: number[] = [];
  t = performance.now();
  let first = 0;
  for await (const tok of seq.evaluate(ids, { temperature: 0 })) {
    if (!out.length) first = performance.now() - t;
    out.push(tok);
    if (out.length >= GENERATE) break;
  }
  const total = performance.now() - t;
  if (r === 0) continue;
  promptMs.push(p); ttftMs.push(first); genMs.push(total); greedy = out;
}
const embeddedRss = process.memoryUsage().rss - rss0;
const embedded = {
  loadMs,
  promptTokensPerS: PROMPT_TOKENS / (median(promptMs) / 1000),
  ttftMs: median(ttftMs),
  genTokensPerS: (greedy.length - 1) / ((median(genMs) - median(ttftMs)) / 1000),
  rssGrowthBytes: embeddedRss,
};
await context.dispose();
await model.dispose();

// Adapters through the product's LocalModel (worker process): load, swap, rollback; the model stays loaded.
const lm = new LocalModel({ workerPath: resolve('dist/llama-worker.mjs') });
const settings = { modelPath: gguf.base, contextSize: 1024, threads: THREADS, gpuLayers: 0 };
const swaps: { loadMs: number[]; swapMs: number[]; unloadMs: number[] } = { loadMs: [], swapMs: [], unloadMs: [] };
t = performance.now();
const base = await lm.ensureLoaded(settings);
const workerLoadMs = performance.now() - t;
let adapterRss = 0;
for (let r = 0; r < RUNS; r++) {
  t = performance.now();
  const a = await lm.setAdapter({ path: gguf.adapter, scale: 1 }, settings);
  swaps.loadMs.push(performance.now() - t);
  adapterRss = a?.memory.rssBytes ?? 0;
  t = performance.now();
  await lm.setAdapter({ path: gguf2.adapter, scale: 1 }, settings);
  swaps.swapMs.push(performance.now() - t);
  t = performance.now();
  await lm.setAdapter(null, settings);
  swaps.unloadMs.push(performance.now() - t);
}
// An agent turn (the agent's tools in the prompt, 64 tokens) at the worker's automatic thread count (threads: 0) and
// at node-llama-cpp's own default (its math cores or 4, whichever is higher), which the worker used before: on a
// machine with fewer free cores than that, ggml's threads wait on each other at every token.
const agentTurn = async (threads: number): Promise<number> => {
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await lm.chat({ ...settings, threads, contextSize: 4096 }, { messages: [{ role: 'system', content: 'You are a coding agent.' }, { role: 'user', content: 'List the files in src.' }], tools: toolsForModel(true) }, {}, undefined, { maxTokens: GENERATE });
    times.push(performance.now() - t0);
  }
  return median(times);
};
const libraryDefaultThreads = Math.max(llama.cpuMathCores, 4);
const agentTurnAutoMs = await agentTurn(0);
const agentTurnLibraryDefaultMs = await agentTurn(libraryDefaultThreads);
lm.dispose();

const result = {
  model: { ...MODEL, vocab: 259, ggufBytes: (await import('node:fs')).statSync(gguf.base).size },
  promptTokens: PROMPT_TOKENS, generate: GENERATE, threads: THREADS, runs: RUNS,
  sameGreedy: JSON.stringify(greedy) === JSON.stringify(torch.greedy),
  embedded: { ...embedded, rssGrowthMB: mb(embedded.rssGrowthBytes) },
  torch: { loadMs: torch.loadMs, promptTokensPerS: torch.promptTokensPerS, ttftMs: torch.ttftMs, genTokensPerS: torch.genTokensPerS, rssGrowthMB: mb(torch.rssGrowthBytes), peakRssMB: mb(torch.peakRssBytes) },
  ratios: {
    promptTokensPerS: embedded.promptTokensPerS / torch.promptTokensPerS,
    genTokensPerS: embedded.genTokensPerS / torch.genTokensPerS,
    ttft: embedded.ttftMs / torch.ttftMs,
    memory: embedded.rssGrowthBytes / torch.rssGrowthBytes,
  },
  worker: {
    modelLoadMs: workerLoadMs, modelRssMB: mb(base.memory.rssBytes), withAdapterRssMB: mb(adapterRss),
    adapterLoadMs: median(swaps.loadMs), adapterSwapMs: median(swaps.swapMs), adapterUnloadMs: median(swaps.unloadMs),
    agentTurnAutoThreadsMs: agentTurnAutoMs, agentTurnLibraryDefaultMs, libraryDefaultThreads,
  },
};
console.log(JSON.stringify(result));
if (!result.sameGreedy) console.error(`greedy differs: embedded ${greedy.slice(0, 12).join(',')} / torch ${torch.greedy.slice(0, 12).join(',')}`);
// Targets: the embedded runtime is the product's local path, so it must not be slower than the trainer's sampler on
// generation, and swapping an adapter (context recreated, model kept) must feel instant.
meetsTarget('embedded generation tokens/s ÷ PyTorch sampler', result.ratios.genTokensPerS, { min: 1 }, '×');
meetsTarget('embedded time to first token ÷ PyTorch sampler', result.ratios.ttft, { max: 1 }, '×');
meetsTarget('adapter swap (model kept loaded)', result.worker.adapterSwapMs, { max: 500 }, ' ms');
meetsTarget(`agent turn at automatic threads ÷ at node-llama-cpp's default (${libraryDefaultThreads} threads)`, agentTurnAutoMs / agentTurnLibraryDefaultMs, { max: 1 }, '×');
