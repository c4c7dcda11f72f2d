import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedModel } from '../../../support/scriptedModel';
import { tempWorkspace } from '../helpers';
import { AgentSession, type AgentSessionOptions } from '../../../../src/core/agent/session';
import { StoreRecorder } from '../../../../src/core/agent/recorder';
import { NO_RESULT, conversationOf, transcriptOf } from '../../../../src/core/agent/resume';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { TrajectoryStore } from '../../../../src/core/trajectory/store';
import type { Episode } from '../../../../src/core/trajectory/episode';

const model = await startScriptedModel();
after(() => model.close());

async function setup() {
  const root = tempWorkspace({ 'notes.txt': 'the secret word is pelican\n' });
  const base = mkdtempSync(join(tmpdir(), 'oel-resume-'));
  const store = await TrajectoryStore.open({ episodesDir: join(base, 'episodes'), indexFile: join(base, 'index.json') });
  const session = (over: Partial<AgentSessionOptions> = {}) => {
    const recorder = new StoreRecorder(store, { thorough: false });
    const s = new AgentSession({
      provider: { baseUrl: model.url, model: 'scripted-model', apiKey: 'k' }, host: new NodeToolHost(root),
      approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true, recorder, ...over,
    });
    return { s, episode: async () => { await recorder.flush(); return store.read(s.episodeId)!; } };
  };
  return { store, session };
}

test('a resumed task sends the past conversation to the model, and records itself as its continuation', async () => {
  model.reset();
  const { session } = await setup();
  const first = session();
  model.enqueue({ toolCalls: [{ id: 'r1', name: 'read_file', arguments: { path: 'notes.txt' } }] }, { text: 'I read the notes.' });
  await first.s.start('read notes.txt');
  const past = await first.episode();

  const resumed = session({ resume: { episodeId: past.id, messages: conversationOf(past) } });
  model.enqueue({ text: 'The word was pelican.' });
  await resumed.s.start('what was the secret word?');
  // What the scripted server received: the fresh system prompt, the whole past conversation, then the new message.
  const sent = model.requests.at(-1)!.messages;
  assert.deepEqual(sent.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
  assert.equal(sent[1].content, 'read notes.txt');
  assert.equal(sent[3].tool_call_id, 'r1');
  assert.match(String(sent[3].content), /pelican/);
  assert.equal(sent[5].content, 'what was the secret word?');
  const ep = await resumed.episode();
  assert.equal(ep.continues, past.id);
  assert.notEqual(ep.id, past.id);
  // The new episode holds only what happened from the resume on; the past one is left as it was.
  assert.deepEqual(ep.steps.filter((s) => s.kind === 'user').map((s) => s.kind === 'user' && s.text), ['what was the secret word?']);
  assert.equal((await first.episode()).steps.length, past.steps.length);
});

test('a call the past task never finished is answered for the model, so the conversation stays valid', () => {
  const at = '2026-12-03T10:00:00.000Z';
  const episode = {
    schema: 1, id: 'e', title: 't', startedAt: at, workspace: 'w', provider: { baseUrl: 'u', model: 'm' }, trusted: true,
    systemPrompt: { template: '', knowledge: null }, endReason: 'stopped',
    steps: [
      { kind: 'user', at, text: 'go' },
      { kind: 'model', at, turn: 0, text: '', toolCalls: [{ id: 'a', name: 'run_command', arguments: '{"command":"npm test"}' }, { id: 'b', name: 'list_dir', arguments: '{}' }], finishReason: 'tool_calls', usage: null, latencyMs: 1, timeToFirstTokenMs: null },
      { kind: 'tool', at, callId: 'b', name: 'list_dir', args: {}, status: 'ok', output: 'x', originalSize: 1, truncated: false, durationMs: 1 },
      { kind: 'end', at, reason: 'stopped', message: 'Stopped by the user.' },
    ],
  } satisfies Episode;
  const m = conversationOf(episode);
  assert.deepEqual(m.map((x) => [x.role, 'tool_call_id' in x ? x.tool_call_id : '']), [['user', ''], ['assistant', ''], ['tool', 'b'], ['tool', 'a']]);
  assert.equal(m[3].content, NO_RESULT);
  // The view shows the past task as cards that are over (no open question), ending as it ended.
  const items = transcriptOf(episode);
  assert.deepEqual(items.map((i) => i.type), ['user', 'toolCall', 'toolCall', 'toolResult', 'taskEnded']);
  assert.equal(items.some((i) => i.type === 'approvalRequest'), false);
});
