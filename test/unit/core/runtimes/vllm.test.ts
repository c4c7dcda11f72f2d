// The vLLM client against the documentation double over loopback: load/unload with the adapter's name as the model,
// rollback, and every refusal said plainly (runtime updating off, rank, DoRA, modules_to_save, path not on vLLM's
// host, vLLM down), with nothing sent when the refusal is knowable from adapter_config.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { VllmRuntime } from '../../../../src/core/runtimes/vllm';
import { startVllmDouble, type VllmDouble } from '../../../support/vllmDouble';
import { adapterVersion as anyVersion, adaptersRoot } from './fixtures';

const BASE = 'Qwen/Qwen2.5-Coder-1.5B-Instruct';
let vllm: VllmDouble;
before(async () => { vllm = await startVllmDouble({ baseModel: BASE }); });
after(async () => { await vllm.close(); });

/** A version trained on BASE (the manifest's base_model_id is the hub id the trainer loaded). */
const adapterVersion = (root: string, version: number, o: Parameters<typeof anyVersion>[2] = {}) => anyVersion(root, version, { baseModelId: BASE, ...o });
const fresh = () => { vllm.loaded.clear(); vllm.requests.length = 0; };
const posted = () => vllm.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${JSON.stringify(r.json)}`);

test('activating loads the adapter under a name that shows its version, and that name becomes the model', async () => {
  fresh();
  const root = adaptersRoot();
  const rt = new VllmRuntime({ baseUrl: vllm.url, baseModel: BASE });
  const v1 = adapterVersion(root, 1);
  const r = await rt.activate(v1);
  assert.equal(r.taken, true, r.message);
  assert.equal(r.model, 'Qwen2.5-Coder-1.5B-Instruct-oel-v1');
  assert.deepEqual(posted(), [`/v1/load_lora_adapter ${JSON.stringify({ lora_name: 'Qwen2.5-Coder-1.5B-Instruct-oel-v1', lora_path: v1.dir })}`]);
  assert.equal(vllm.requests.find((r) => r.method === 'POST')?.headers['content-type'], 'application/json');
  assert.deepEqual([...vllm.loaded.keys()], ['Qwen2.5-Coder-1.5B-Instruct-oel-v1']);
});

test('a new version is loaded before the old one is unloaded; rolling back reverses it; null goes back to the base model', async () => {
  fresh();
  const root = adaptersRoot();
  const rt = new VllmRuntime({ baseUrl: vllm.url, baseModel: BASE });
  const [v1, v2] = [adapterVersion(root, 1), adapterVersion(root, 2)];
  await rt.activate(v1);
  const up = await rt.activate(v2);
  assert.equal(up.model, 'Qwen2.5-Coder-1.5B-Instruct-oel-v2');
  assert.deepEqual(posted().slice(1), [
    `/v1/load_lora_adapter ${JSON.stringify({ lora_name: 'Qwen2.5-Coder-1.5B-Instruct-oel-v2', lora_path: v2.dir })}`,
    `/v1/unload_lora_adapter ${JSON.stringify({ lora_name: 'Qwen2.5-Coder-1.5B-Instruct-oel-v1' })}`,
  ]);
  const back = await rt.activate(v1);
  assert.equal(back.taken, true);
  assert.equal(back.model, 'Qwen2.5-Coder-1.5B-Instruct-oel-v1');
  assert.deepEqual([...vllm.loaded.keys()], ['Qwen2.5-Coder-1.5B-Instruct-oel-v1']);
  const none = await rt.activate(null);
  assert.equal(none.taken, false);
  assert.equal(none.model, undefined);
  assert.match(none.message, /unloaded.*base model/);
  assert.equal(vllm.loaded.size, 0);
});

test('an adapter vLLM already holds (VS Code restarted) counts as taken, and the one held before is unloaded on the next change', async () => {
  fresh();
  const root = adaptersRoot();
  const v3 = adapterVersion(root, 3);
  await new VllmRuntime({ baseUrl: vllm.url, baseModel: BASE }).activate(v3);
  const again = new VllmRuntime({ baseUrl: vllm.url, baseModel: BASE, loaded: 'Qwen2.5-Coder-1.5B-Instruct-oel-v3' });
  const r = await again.activate(v3);
  assert.equal(r.taken, true, r.message);
  assert.equal(vllm.loaded.size, 1);
  await again.activate(adapterVersion(root, 4));
  assert.deepEqual([...vllm.loaded.keys()], ['Qwen2.5-Coder-1.5B-Instruct-oel-v4']);
});

test('a vLLM without runtime LoRA updating is refused with the flag and variable to set', async () => {
  const off = await startVllmDouble({ baseModel: BASE, runtimeUpdating: false });
  try {
    const r = await new VllmRuntime({ baseUrl: off.url, baseModel: BASE }).activate(adapterVersion(adaptersRoot(), 1));
    assert.equal(r.taken, false);
    assert.equal(r.model, undefined);
    assert.match(r.message, /--enable-lora/);
    assert.match(r.message, /VLLM_ALLOW_RUNTIME_LORA_UPDATING=True/);
  } finally { await off.close(); }
});

test('what vLLM refuses is refused before anything is sent: rank above --max-lora-rank, DoRA, modules_to_save', async () => {
  fresh();
  const root = adaptersRoot();
  const rt = new VllmRuntime({ baseUrl: vllm.url, baseModel: BASE });
  const rank = await rt.activate(adapterVersion(root, 1, { config: { r: 32 } }));
  assert.equal(rank.taken, false);
  assert.match(rank.message, /rank is 32, above vLLM's --max-lora-rank 16.*--max-lora-rank 32/);
  const dora = await rt.activate(adapterVersion(root, 2, { config: { use_dora: true } }));
  assert.match(dora.message, /DoRA/);
  const mts = await rt.activate(adapterVersion(root, 3, { config: { modules_to_save: ['lm_head'] } }));
  assert.match(mts.message, /modules_to_save: lm_head/);
  assert.equal(vllm.requests.length, 0, posted().join('\n'));
  // The same rank-32 adapter goes through to a server started with --max-lora-rank 32, configured to match.
  const wide = await startVllmDouble({ baseModel: BASE, maxLoraRank: 32 });
  try {
    const ok = await new VllmRuntime({ baseUrl: wide.url, baseModel: BASE, maxLoraRank: 32 }).activate(adapterVersion(root, 4, { config: { r: 32 } }));
    assert.equal(ok.taken, true, ok.message);
  } finally { await wide.close(); }
});

test('when vLLM cannot read the folder the message says the path must be on vLLM\'s machine; adapterRoot maps it', async () => {
  const root = adaptersRoot();
  // vLLM's machine sees the adapters folder only where it is mounted, at /mnt/oel-adapters.
  const remote = await startVllmDouble({ baseModel: BASE, resolvePath: (p) => (p.startsWith('/mnt/oel-adapters/') ? p.replace('/mnt/oel-adapters', root) : `/nonexistent${p}`) });
  try {
    const v1 = adapterVersion(root, 1);
    const lost = await new VllmRuntime({ baseUrl: remote.url, baseModel: BASE }).activate(v1);
    assert.equal(lost.taken, false);
    assert.match(lost.message, /HTTP 404.*No adapter found.*on vLLM's machine.*oel\.adapters\.vllm\.adapterRoot/);
    const mapped = await new VllmRuntime({ baseUrl: remote.url, baseModel: BASE, remoteRoot: '/mnt/oel-adapters' }).activate(v1);
    assert.equal(mapped.taken, true, mapped.message);
    assert.deepEqual(remote.requests.at(-1)?.json, { lora_name: 'Qwen2.5-Coder-1.5B-Instruct-oel-v1', lora_path: '/mnt/oel-adapters/127.0.0.1_8787/1' });
  } finally { await remote.close(); }
});

test('a vLLM that is not running is a refusal naming the address, not an exception', async () => {
  const gone = await startVllmDouble({ baseModel: BASE });
  const url = gone.url;
  await gone.close();
  const r = await new VllmRuntime({ baseUrl: url, baseModel: BASE, timeoutMs: 5000 }).activate(adapterVersion(adaptersRoot(), 1));
  assert.equal(r.taken, false);
  assert.match(r.message, new RegExp(`vLLM could not be reached: GET ${url.replace(/[.]/g, '\\.')}/models failed: the connection was refused`));
});

test('the double checks requests the way vLLM does: a load without lora_path is refused', async () => {
  const res = await fetch(`${vllm.url}/load_lora_adapter`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lora_name: 'x' }) });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Both 'lora_name' and 'lora_path' must be provided/);
});

test('an adapter trained on another base model than the one vLLM serves is refused; a renamed served model still matches', async () => {
  const llama = await startVllmDouble({ baseModel: 'meta-llama/Llama-3.2-1B-Instruct' });
  try {
    const r = await new VllmRuntime({ baseUrl: llama.url, baseModel: 'meta-llama/Llama-3.2-1B-Instruct' }).activate(adapterVersion(adaptersRoot(), 1));
    assert.equal(r.taken, false);
    assert.match(r.message, /trained on Qwen\/Qwen2\.5-Coder-1\.5B-Instruct, but vLLM at .* serves meta-llama\/Llama-3\.2-1B-Instruct/);
    assert.ok(!llama.requests.some((q) => q.method === 'POST'), 'nothing was loaded');
  } finally { await llama.close(); }
  // --served-model-name coder, loaded from the hub cache: the root names the model.
  const renamed = await startVllmDouble({ baseModel: 'coder', baseRoot: '/root/.cache/huggingface/hub/models--Qwen--Qwen2.5-Coder-1.5B-Instruct/snapshots/0dfa347e' });
  try {
    const r = await new VllmRuntime({ baseUrl: renamed.url, baseModel: 'coder' }).activate(adapterVersion(adaptersRoot(), 1));
    assert.equal(r.taken, true, r.message);
    assert.equal(r.model, 'coder-oel-v1');
  } finally { await renamed.close(); }
});
