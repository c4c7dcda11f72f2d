// The agent through vLLM with an adapter: after activation the agent's requests carry the adapter's name as `model`
// (vLLM would answer 404 to a name it does not serve), and after rollback to no adapter the base model's id again.
// The vLLM double forwards accepted chat requests to the scripted model, so the agent loop runs end to end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentSession } from '../../../../src/core/agent/session';
import { VllmRuntime } from '../../../../src/core/runtimes/vllm';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { startScriptedModel, type ScriptedModel } from '../../../support/scriptedModel';
import { startVllmDouble, type VllmDouble } from '../../../support/vllmDouble';
import { tempWorkspace } from '../helpers';
import { adapterVersion, adaptersRoot } from './fixtures';

const BASE = 'Qwen/Qwen2.5-Coder-1.5B-Instruct';
let scripted: ScriptedModel;
let vllm: VllmDouble;
before(async () => {
  scripted = await startScriptedModel();
  vllm = await startVllmDouble({ baseModel: BASE, upstream: scripted.url });
});
after(async () => { await vllm.close(); await scripted.close(); });

async function runTask(model: string): Promise<string> {
  scripted.enqueue({ text: 'ok' });
  const session = new AgentSession({
    provider: { baseUrl: vllm.url, model }, host: new NodeToolHost(tempWorkspace({})),
    approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true,
  });
  const outcome = await session.start('say ok');
  return `${outcome.reason}: ${outcome.message}`;
}

test('the agent sends the adapter name while it is active and the base model after it is unloaded', async () => {
  const rt = new VllmRuntime({ baseUrl: vllm.url, baseModel: BASE });
  const on = await rt.activate(adapterVersion(adaptersRoot(), 2, { baseModelId: BASE }));
  assert.equal(on.taken, true, on.message);
  assert.match(await runTask(on.model!), /^completed/);
  assert.equal(vllm.chatModels.at(-1), 'Qwen2.5-Coder-1.5B-Instruct-oel-v2');
  const off = await rt.activate(null);
  assert.equal(off.model, undefined);
  // A request still naming the unloaded adapter fails as vLLM fails it; the base model's id works.
  assert.match(await runTask('Qwen2.5-Coder-1.5B-Instruct-oel-v2'), /^error/);
  assert.match(await runTask(BASE), /^completed/);
  assert.deepEqual(vllm.chatModels.slice(-2), ['Qwen2.5-Coder-1.5B-Instruct-oel-v2', BASE]);
});
