import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startScriptedModel } from '../../support/scriptedModel';

const model = await startScriptedModel();
after(() => model.close());
const client = new OpenAI({ baseURL: model.url, apiKey: 'x', maxRetries: 0 });

test('match picks the first fitting response, leaving others queued', async () => {
  model.enqueue({ match: { systemIncludes: 'extract' }, text: 'knowledge' }, { text: 'agent' });
  const r = await client.chat.completions.create({ model: 'scripted-model', messages: [{ role: 'system', content: 'you are an agent' }, { role: 'user', content: 'go' }] });
  assert.equal(r.choices[0].message.content, 'agent');
  assert.equal(model.pending(), 1);
  const r2 = await client.chat.completions.create({ model: 'scripted-model', messages: [{ role: 'system', content: 'extract items' }] });
  assert.equal(r2.choices[0].message.content, 'knowledge');
  assert.equal(model.requests.length, 2);
});

test('embeddings are deterministic and can be switched off; control routes work', async () => {
  const a = await client.embeddings.create({ model: 'scripted-model', input: ['hello world'] });
  const b = await client.embeddings.create({ model: 'scripted-model', input: 'hello world' });
  assert.deepEqual(a.data[0].embedding, b.data[0].embedding);
  model.setEmbeddings(false);
  await assert.rejects(client.embeddings.create({ model: 'scripted-model', input: 'x' }), /404/);
  model.setEmbeddings(true);
  const res = await fetch(model.url.replace('/v1', '/__script/enqueue'), { method: 'POST', body: JSON.stringify([{ text: 'via http' }]) });
  assert.equal(res.status, 200);
  const r = await client.chat.completions.create({ model: 'scripted-model', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(r.choices[0].message.content, 'via http');
  const reqs = await (await fetch(model.url.replace('/v1', '/__script/requests'))).json();
  assert.ok(Array.isArray(reqs) && reqs.length > 0);
});
