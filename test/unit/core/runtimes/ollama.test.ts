// The Ollama client against the documentation double over loopback: blob upload (HEAD first), create FROM the base
// with the GGUF adapter under a versioned name, rollback and deactivation removing the models made before, and the
// refusals: no GGUF adapter, a base Ollama does not have, and an Ollama that no longer applies adapters (by error,
// or by silently ignoring the field; the model it made is removed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OllamaRuntime } from '../../../../src/core/runtimes/ollama';
import { startOllamaDouble, type OllamaDouble } from '../../../support/ollamaDouble';
import { adapterVersion, adaptersRoot } from './fixtures';

const BASE = 'qwen2.5-coder:7b';
let ollama: OllamaDouble;
before(async () => { ollama = await startOllamaDouble({ models: { [BASE]: 'F16', 'qwen2.5-coder:7b-q4': 'Q4_K_M' } }); });
after(async () => { await ollama.close(); });

const digestOf = (dir: string) => `sha256:${createHash('sha256').update(readFileSync(join(dir, 'adapter.gguf'))).digest('hex')}`;
const calls = (d: OllamaDouble, from = 0) => d.requests.slice(from).map((r) => `${r.method} ${r.path}`);

test('the GGUF adapter is uploaded once as a blob and a model named for the version is created FROM the base', async () => {
  const v1 = adapterVersion(adaptersRoot(), 1);
  const rt = new OllamaRuntime({ baseUrl: ollama.url, baseModel: BASE });
  const start = ollama.requests.length;
  const r = await rt.activate(v1);
  assert.equal(r.taken, true, r.message);
  assert.equal(r.model, 'qwen2.5-coder-7b-oel-v1');
  const dg = digestOf(v1.dir);
  assert.deepEqual(calls(ollama, start), [`HEAD /api/blobs/${dg}`, `POST /api/blobs/${dg}`, 'POST /api/create', 'POST /api/show', 'POST /api/show']);
  assert.deepEqual(ollama.requests[start + 2].json, { model: 'qwen2.5-coder-7b-oel-v1', from: BASE, adapters: { 'adapter.gguf': dg }, stream: false });
  assert.equal(ollama.models.get('qwen2.5-coder-7b-oel-v1:latest')?.adapter, dg);
  // Activating the same version again (e.g. after a restart) does not upload the file again.
  const again = ollama.requests.length;
  assert.equal((await new OllamaRuntime({ baseUrl: ollama.url, baseModel: BASE }).activate(v1)).taken, true);
  assert.ok(!calls(ollama, again).some((c) => c.startsWith('POST /api/blobs')), calls(ollama, again).join('\n'));
});

test('a new version replaces the model made before; rolling back re-creates the old one; null leaves only the base', async () => {
  const root = adaptersRoot();
  const rt = new OllamaRuntime({ baseUrl: ollama.url, baseModel: BASE });
  const [v1, v2] = [adapterVersion(root, 1), adapterVersion(root, 2)];
  await rt.activate(v1);
  const up = await rt.activate(v2);
  assert.equal(up.model, 'qwen2.5-coder-7b-oel-v2');
  assert.ok(!ollama.models.has('qwen2.5-coder-7b-oel-v1:latest'));
  const back = await rt.activate(v1);
  assert.equal(back.model, 'qwen2.5-coder-7b-oel-v1');
  assert.equal(ollama.models.get('qwen2.5-coder-7b-oel-v1:latest')?.adapter, digestOf(v1.dir));
  assert.ok(!ollama.models.has('qwen2.5-coder-7b-oel-v2:latest'));
  const none = await rt.activate(null);
  assert.equal(none.taken, false);
  assert.match(none.message, /base model qwen2\.5-coder:7b again/);
  assert.deepEqual([...ollama.models.keys()].filter((m) => m.includes('-oel-')), []);
  assert.ok(ollama.models.has(`${BASE}`));
});

test('a version without a GGUF adapter is refused before anything is sent, saying why Ollama needs one', async () => {
  const start = ollama.requests.length;
  const r = await new OllamaRuntime({ baseUrl: ollama.url, baseModel: BASE }).activate(adapterVersion(adaptersRoot(), 1, { gguf: false }));
  assert.equal(r.taken, false);
  assert.match(r.message, /\(trained on tiny-qwen2\) has no adapter\.gguf.*not qwen2/);
  assert.equal(ollama.requests.length, start);
});

test('the double refuses a safetensors adapter for a qwen2 base, as Ollama does', async () => {
  const body = Buffer.from('{"__metadata__":{}}');
  const dg = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  await fetch(`${ollama.root}/api/blobs/${dg}`, { method: 'POST', body });
  const res = await fetch(`${ollama.root}/api/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'x', from: BASE, adapters: { 'adapter_model.safetensors': dg }, stream: false }) });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /unsupported architecture "qwen2"/);
});

test('a base model Ollama does not have is refused with its answer', async () => {
  const r = await new OllamaRuntime({ baseUrl: ollama.url, baseModel: 'missing:1b' }).activate(adapterVersion(adaptersRoot(), 1));
  assert.equal(r.taken, false);
  assert.match(r.message, /refused to create "missing-1b-oel-v1" from "missing:1b".*model 'missing:1b' not found/);
});

test('an Ollama that answers adapters with an error, or ignores them, is detected; the adapter-less model is removed', async () => {
  for (const support of ['error', 'ignored'] as const) {
    const old = await startOllamaDouble({ models: { [BASE]: 'F16' }, adapterSupport: support });
    try {
      const r = await new OllamaRuntime({ baseUrl: old.url, baseModel: BASE }).activate(adapterVersion(adaptersRoot(), 3));
      assert.equal(r.taken, false, support);
      assert.equal(r.model, undefined);
      assert.match(r.message, /no longer (creates models with an adapter|applies adapters)/, `${support}: ${r.message}`);
      assert.deepEqual([...old.models.keys()], [`${BASE}`], support);
    } finally { await old.close(); }
  }
});

test('a quantized base is taken with a note that the adapter was trained on full precision', async () => {
  const r = await new OllamaRuntime({ baseUrl: ollama.url, baseModel: 'qwen2.5-coder:7b-q4' }).activate(adapterVersion(adaptersRoot(), 5));
  assert.equal(r.taken, true, r.message);
  assert.match(r.message, /is quantized \(Q4_K_M\)/);
});

test('an Ollama that is not running is a refusal naming the address', async () => {
  const gone = await startOllamaDouble({ models: {} });
  await gone.close();
  const r = await new OllamaRuntime({ baseUrl: gone.url, baseModel: BASE, timeoutMs: 5000 }).activate(adapterVersion(adaptersRoot(), 1));
  assert.equal(r.taken, false);
  assert.match(r.message, /Ollama could not be reached: HEAD http:\/\/127\.0\.0\.1:\d+\/api\/blobs\/sha256:[0-9a-f]{64} failed: the connection was refused/);
});
