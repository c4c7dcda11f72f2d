// The model picker's list, from a real OpenAI-compatible server on loopback (the scripted model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { listModels } from '../../../../src/core/provider/listModels';
import { startScriptedModel } from '../../../support/scriptedModel';

test('lists the server\'s models sorted, leaving out ids with control characters', async () => {
  const server = await startScriptedModel({ models: ['qwen2.5-coder:7b', 'llama3.1:8b', 'evil\u001b[2Jid', 'qwen2.5-coder:7b'] });
  try {
    assert.deepEqual(await listModels({ baseUrl: server.url, model: '' }), { models: ['llama3.1:8b', 'qwen2.5-coder:7b'] });
  } finally { await server.close(); }
});

test('a wrong key or no server gives a message for the user, not an exception', async () => {
  const server = await startScriptedModel({ apiKey: 'right-key' });
  try {
    const r = await listModels({ baseUrl: server.url, model: 'm', apiKey: 'wrong-key' });
    assert.ok('error' in r && /key/i.test(r.error), JSON.stringify(r));
  } finally { await server.close(); }
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
  const r = await listModels({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', timeoutMs: 5000 });
  assert.ok('error' in r && /127\.0\.0\.1/.test(r.error), JSON.stringify(r));
});
