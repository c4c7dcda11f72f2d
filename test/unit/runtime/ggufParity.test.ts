// Parity: the adapter means the same thing in llama.cpp as in the trainer. One tiny model and one LoRA adapter run in
// PyTorch (oel_trainer's model and LoRA layers, base + B·A·alpha/r) and in node-llama-cpp (base GGUF + LoRA GGUF from
// export-gguf, loaded with createContext({lora})), both float32, on 24 prompts:
// - next-token log-probabilities at every position of every prompt: top-1 identical, max |Δ log p| ≤ 1e-3 over the
//   whole vocabulary;
// - 32-token greedy continuations identical;
// - the same without the adapter;
// - the adapter moves the distribution by far more than the tolerance (so ignoring it could not pass).
// qwen2 (the default tiny model: NEOX rope, q/k/v biases, tied embeddings) and llama (NORM rope: Q/K rows and LoRA B
// permuted, separate lm_head).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getLlama, LlamaLogLevel, type LlamaModel, type Token } from 'node-llama-cpp';
import { ModelChat } from '../../../src/server/chat';
import { createTinyModel, PYTHON, TRAINER_PATH } from '../../support/tinyModel';
import { exportGguf } from '../../support/ggufExport';

const TOLERANCE = 1e-3;
const GREEDY = 32;
const VOCAB = 259;
const REFERENCE = resolve('test/support/torch_reference.py');

interface Reference { logprobs: number[][][]; greedy: number[][] }

function torchReference(args: string[]): string {
  return execFileSync(PYTHON, [REFERENCE, ...args], {
    env: { ...process.env, PYTHONPATH: TRAINER_PATH }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28,
  });
}

/** 24 prompts: ChatML conversations through the server's tokenizer path, and seeded random ids (specials included). */
function prompts(modelDir: string): number[][] {
  const chat = new ModelChat(modelDir);
  const texts = ['Fix the bug in main.ts', 'Why does npm test fail?', 'Rename foo to bar', 'hé wörld — ünïcode',
    'Add a README section', 'def f(x):\n    return x * 2', 'SELECT * FROM t;', '{"a": [1, 2, 3]}',
    'Explain the stack trace', 'write tests', 'x', 'Refactor this loop into a map'];
  const out = texts.map((content) => chat.encodeChat([{ role: 'user', content }]));
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 12; i++) out.push(Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * VOCAB)));
  return out;
}

/** Log-probabilities at every position and the greedy continuation, from llama.cpp. */
async function llamaCpp(model: LlamaModel, adapter: string | null, inputs: number[][]): Promise<Reference> {
  const context = await model.createContext({
    contextSize: 256,
    // llama.cpp keeps K and V in F16 by default, which alone moves log p by up to ~7e-3 on this model: parity is
    // measured with an F32 cache (and no flash attention, whose CPU path may also round to F16).
    experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32', flashAttention: false,
    // One thread: on a shared 2-core machine llama.cpp's spinning worker threads make each token ~100x slower.
    threads: 1,
    lora: adapter ? { adapters: [{ filePath: adapter, scale: 1 }] } : undefined,
  });
  try {
    const sequence = context.getSequence();
    const out: Reference = { logprobs: [], greedy: [] };
    for (const ids of inputs) {
      await sequence.clearHistory();
      const results = await sequence.controlledEvaluate(ids.map((t) => [t as Token, { generateNext: { probabilities: true } }]));
      out.logprobs.push(results.map((r, pos) => {
        const probs = r?.next.probabilities;
        assert.ok(probs && probs.size === VOCAB, `position ${pos}: a full distribution`);
        return Array.from({ length: VOCAB }, (_, t) => Math.log(probs.get(t as Token) ?? 0));
      }));
      await sequence.clearHistory();
      const greedy: number[] = [];
      for await (const token of sequence.evaluate(ids as Token[], { temperature: 0, yieldEogToken: true })) {
        greedy.push(token);
        if (greedy.length === GREEDY) break;
      }
      out.greedy.push(greedy);
    }
    return out;
  } finally {
    await context.dispose();
  }
}

const argmax = (row: number[]) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);

/** Largest |Δ log p| over every prompt, position and token, and the top-1 disagreements. */
function compare(a: Reference, b: Reference): { maxDelta: number; top1Mismatches: string[] } {
  let maxDelta = 0;
  const top1Mismatches: string[] = [];
  a.logprobs.forEach((rows, p) => rows.forEach((row, pos) => {
    const other = b.logprobs[p][pos];
    for (let t = 0; t < row.length; t++) maxDelta = Math.max(maxDelta, Math.abs(row[t] - other[t]));
    if (argmax(row) !== argmax(other)) top1Mismatches.push(`prompt ${p} position ${pos}`);
  }));
  return { maxDelta, top1Mismatches };
}

for (const arch of ['qwen2', 'llama']) {
  test(`parity ${arch}: PyTorch and llama.cpp agree with and without the LoRA adapter`, async () => {
    const dir = createTinyModel({ arch, hidden: 64, layers: 2, heads: 4, kvHeads: 2 });
    const work = join(dir, '..');
    const adapterDir = join(work, 'adapter');
    torchReference(['make-adapter', dir, adapterDir, '--rank', '4', '--alpha', '8', '--seed', '7', '--std', '0.2']);
    const baseGguf = join(work, 'base.gguf');
    const adapterGguf = join(work, 'adapter.gguf');
    exportGguf(['--model', dir, '--out', baseGguf]);
    exportGguf(['--adapter', adapterDir, '--model', dir, '--out', adapterGguf]);

    const inputs = prompts(dir);
    assert.ok(inputs.length >= 20);
    const torch: Record<string, Reference> = {};
    for (const [name, adapter] of [['base', null], ['lora', adapterDir]] as const) {
      const spec = join(work, `${name}.json`);
      writeFileSync(spec, JSON.stringify({ model: dir, adapter, prompts: inputs, greedy: GREEDY }));
      torch[name] = JSON.parse(torchReference(['reference', spec])) as Reference;
    }

    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: baseGguf });
    try {
      const cpp = { base: await llamaCpp(model, null, inputs), lora: await llamaCpp(model, adapterGguf, inputs) };
      for (const name of ['base', 'lora'] as const) {
        const { maxDelta, top1Mismatches } = compare(torch[name], cpp[name]);
        console.log(`${arch} ${name}: max |Δ log p| = ${maxDelta.toExponential(2)} over ${inputs.length} prompts`);
        assert.deepEqual(top1Mismatches, [], `${name}: top-1 differs`);
        assert.ok(maxDelta <= TOLERANCE, `${name}: max |Δ log p| ${maxDelta} > ${TOLERANCE}`);
        assert.deepEqual(cpp[name].greedy, torch[name].greedy, `${name}: greedy continuations differ`);
      }
      // The adapter must matter: otherwise a runtime that ignored it would pass the checks above.
      const moved = compare(torch.base, torch.lora).maxDelta;
      const movedCpp = compare(cpp.base, cpp.lora).maxDelta;
      console.log(`${arch}: the adapter moves log p by up to ${moved.toFixed(3)} (PyTorch), ${movedCpp.toFixed(3)} (llama.cpp)`);
      assert.ok(moved > 100 * TOLERANCE && movedCpp > 100 * TOLERANCE, `the adapter barely changes the model (${moved})`);
      assert.notDeepEqual(torch.lora.greedy, torch.base.greedy, 'the adapter changes greedy continuations');
    } finally {
      await model.dispose();
    }
  });
}
