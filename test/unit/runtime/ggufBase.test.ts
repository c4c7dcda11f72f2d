// The trainer's export-gguf turns init-tiny's model folder into a GGUF that llama.cpp (node-llama-cpp's prebuilt CPU
// binary) loads: it tokenizes a ChatML prompt to the same ids as the server's HF tokenizer.json path, knows the
// end-of-turn token, and generates tokens. Both architectures the product uses (qwen2, the default, and llama).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { ModelChat } from '../../../src/server/chat';
import { createTinyModel } from '../../support/tinyModel';
import { exportGguf } from '../../support/ggufExport';

for (const arch of ['qwen2', 'llama']) {
  test(`export-gguf ${arch}: node-llama-cpp loads it, tokenizes like tokenizer.json and generates`, async () => {
    const dir = createTinyModel({ arch });
    const out = join(dir, '..', 'base.gguf');
    const summary = exportGguf(['--model', dir, '--out', out]);
    assert.equal(summary.architecture, arch);

    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: out });
    try {
      assert.equal(model.fileInfo.metadata.general.architecture, arch);
      const chat = new ModelChat(dir);
      const messages = [{ role: 'user' as const, content: 'Fix the bug in hé.ts' }];
      const hfIds = chat.encodeChat(messages);
      const text = chat.decode(hfIds);
      // node-llama-cpp's tokenizer with special tokens enabled sees <|im_start|>/<|im_end|> as single ids, like HF.
      const rendered = `<|im_start|>user\n${messages[0].content}<|im_end|>\n<|im_start|>assistant\n`;
      assert.deepEqual([...model.tokenize(rendered, true)], hfIds, `GGUF tokenizer differs from tokenizer.json on ${JSON.stringify(text)}`);
      assert.equal(model.tokens.eos, 258, 'eos is <|im_end|>');
      assert.equal(model.detokenize(model.tokenize('hé wörld')), 'hé wörld');

      const context = await model.createContext({ contextSize: 128 });
      try {
        const generated: Token[] = [];
        for await (const token of context.getSequence().evaluate(hfIds as Token[], { temperature: 0 })) {
          generated.push(token);
          if (generated.length === 8) break;
        }
        assert.equal(generated.length, 8);
        assert.ok(generated.every((t) => Number.isInteger(t) && t >= 0 && t < 259));
      } finally {
        await context.dispose();
      }
    } finally {
      await model.dispose();
    }
  });
}
