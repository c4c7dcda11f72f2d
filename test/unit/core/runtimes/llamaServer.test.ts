// The llama.cpp server client against the documentation double over loopback: a version loaded at start is turned on
// (scale 1, the others 0), rollback turns the older one on, null turns all off, and a version the server did not
// load at start is refused with the restart it needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LlamaServerRuntime } from '../../../../src/core/runtimes/llamaServer';
import { startLlamaServerDouble } from '../../../support/llamaServerDouble';
import { adapterVersion, adaptersRoot } from './fixtures';

test('the loaded adapter of the version gets scale 1 and the others 0; rollback and null switch the scales', async () => {
  const root = adaptersRoot();
  const [v1, v2] = [adapterVersion(root, 1), adapterVersion(root, 2)];
  const srv = await startLlamaServerDouble({ lora: [join(v1.dir, 'adapter.gguf'), join(v2.dir, 'adapter.gguf')], initWithoutApply: true });
  try {
    const rt = new LlamaServerRuntime({ baseUrl: srv.url });
    const r = await rt.activate(v2);
    assert.equal(r.taken, true, r.message);
    assert.equal(r.model, undefined, 'the model id stays');
    assert.deepEqual(srv.adapters.map((a) => a.scale), [0, 1]);
    assert.deepEqual(srv.requests.at(-1)?.json, [{ id: 0, scale: 0 }, { id: 1, scale: 1 }]);
    assert.equal((await rt.activate(v1)).taken, true);
    assert.deepEqual(srv.adapters.map((a) => a.scale), [1, 0]);
    const off = await rt.activate(null);
    assert.equal(off.taken, false);
    assert.match(off.message, /base model/);
    assert.deepEqual(srv.adapters.map((a) => a.scale), [0, 0]);
  } finally { await srv.close(); }
});

test('a server in a container that names the file by its own mount is matched by <server>/<version>/adapter.gguf', async () => {
  const v3 = adapterVersion(adaptersRoot(), 3);
  const srv = await startLlamaServerDouble({ lora: ['/models/adapters/127.0.0.1_8787/3/adapter.gguf'], initWithoutApply: true });
  try {
    assert.equal((await new LlamaServerRuntime({ baseUrl: srv.url }).activate(v3)).taken, true);
    assert.deepEqual(srv.adapters.map((a) => a.scale), [1]);
  } finally { await srv.close(); }
});

test('a version the server did not load at start is refused with the --lora restart, and nothing is changed', async () => {
  const root = adaptersRoot();
  const [v1, v2] = [adapterVersion(root, 1), adapterVersion(root, 2)];
  const srv = await startLlamaServerDouble({ lora: [join(v1.dir, 'adapter.gguf')] });
  try {
    const r = await new LlamaServerRuntime({ baseUrl: srv.url }).activate(v2);
    assert.equal(r.taken, false);
    assert.match(r.message, /loads adapter files only when it starts/);
    assert.ok(r.message.includes(`Restart it with --lora ${join(v2.dir, 'adapter.gguf')}`), r.message);
    assert.deepEqual(srv.adapters.map((a) => a.scale), [1], 'the adapter in use stays');
    assert.ok(!srv.requests.some((q) => q.method === 'POST'));
  } finally { await srv.close(); }
});

test('a version without a GGUF adapter, and a server without /lora-adapters, are refused plainly', async () => {
  const srv = await startLlamaServerDouble({ lora: [] });
  try {
    const r = await new LlamaServerRuntime({ baseUrl: srv.url }).activate(adapterVersion(adaptersRoot(), 1, { gguf: false }));
    assert.match(r.message, /no adapter\.gguf, the only adapter format llama\.cpp loads/);
  } finally { await srv.close(); }
  const other = await startLlamaServerDouble({ lora: [] });
  const url = `${other.root}/not-llama/v1`;
  try {
    const r = await new LlamaServerRuntime({ baseUrl: url }).activate(adapterVersion(adaptersRoot(), 1));
    assert.equal(r.taken, false);
    assert.match(r.message, /has no \/lora-adapters endpoint/);
  } finally { await other.close(); }
});

test('the double checks requests as llama-server does: an unknown id fails the whole request', async () => {
  const srv = await startLlamaServerDouble({ lora: ['/a.gguf'] });
  try {
    const bad = await fetch(`${srv.root}/lora-adapters`, { method: 'POST', body: JSON.stringify([{ id: 0, scale: 0.5 }, { id: 7, scale: 1 }]) });
    assert.equal(bad.status, 500);
    assert.deepEqual(srv.adapters.map((a) => a.scale), [1]);
    const notList = await fetch(`${srv.root}/lora-adapters`, { method: 'POST', body: JSON.stringify({ id: 0, scale: 0 }) });
    assert.equal(notList.status, 400);
  } finally { await srv.close(); }
});

test('a llama.cpp server that is not running is a refusal naming the address, not an exception', async () => {
  const gone = await startLlamaServerDouble({ lora: [], initWithoutApply: true });
  const url = gone.url;
  await gone.close();
  const r = await new LlamaServerRuntime({ baseUrl: url, timeoutMs: 5000 }).activate(adapterVersion(adaptersRoot(), 1));
  assert.equal(r.taken, false);
  assert.match(r.message, /^The llama\.cpp server could not be reached: GET http:\/\/127\.0\.0\.1:\d+\/lora-adapters failed: the connection was refused.*The model is unchanged\.$/);
});
