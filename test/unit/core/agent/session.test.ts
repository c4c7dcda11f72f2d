import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedModel } from '../../../support/scriptedModel';
import { tempWorkspace } from '../helpers';
import { AgentSession, type AgentSessionOptions } from '../../../../src/core/agent/session';
import { StoreRecorder } from '../../../../src/core/agent/recorder';
import { checkEditsStillStand } from '../../../../src/core/agent/editCheck';
import type { AgentEvent } from '../../../../src/core/agent/events';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { TrajectoryStore } from '../../../../src/core/trajectory/store';
import type { KnowledgeProvider } from '../../../../src/core/knowledge/knowledgeContext';

const model = await startScriptedModel();
after(() => model.close());

async function setup(files: Record<string, string> = {}, over: Partial<AgentSessionOptions> = {}) {
  const root = tempWorkspace(files);
  const base = mkdtempSync(join(tmpdir(), 'oel-agent-'));
  const store = await TrajectoryStore.open({ episodesDir: join(base, 'episodes'), indexFile: join(base, 'index.json') });
  const recorder = new StoreRecorder(store, { knownSecrets: ['cfg-key-123456'] });
  const events: AgentEvent[] = [];
  const session = new AgentSession({
    provider: { baseUrl: model.url, model: 'scripted-model', apiKey: 'cfg-key-123456' }, host: new NodeToolHost(root),
    approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true, recorder, onEvent: (e) => events.push(e), ...over,
  });
  const episode = async () => { await recorder.flush(); return store.read(session.episodeId)!; };
  return { root, base, store, session, events, episode };
}

test('tool calls across several turns, then a final answer with citations', async () => {
  model.reset();
  const knowledge: KnowledgeProvider = { forTask: async () => ({ version: 'v1', itemIds: ['K-ab12cd'], text: 'Learned: run the tests with npm test.', tokens: 8 }) };
  const { session, events, episode, root } = await setup({ 'src/app.ts': 'const x = 1;\n' }, { knowledge });
  model.enqueue(
    { toolCalls: [{ name: 'read_file', arguments: { path: 'src/app.ts' } }] },
    { toolCalls: [{ name: 'propose_edit', arguments: { path: 'src/app.ts', search: 'x = 1', replace: 'x = 2' } }] },
    // K-zz99yy is not in the prompt (read in a file, or made up): it must not count as a citation.
    { text: 'Changed x to 2 as [K-ab12cd] suggests, not [K-zz99yy].', chunkSize: 5 },
  );
  const outcome = await session.start('set x to 2');
  assert.equal(outcome.reason, 'completed');
  assert.equal(readFileSync(join(root, 'src/app.ts'), 'utf8'), 'const x = 2;\n');
  assert.match(String(model.requests[0].messages[0].content), /Learned: run the tests/);
  assert.ok(!String(model.requests[0].messages[0].content).includes('{{knowledge}}'));
  assert.equal(model.requests[1].messages.at(-1)?.role, 'tool');
  assert.ok(events.some((e) => e.type === 'text_delta'));
  assert.ok(events.some((e) => e.type === 'approval_needed'));
  const ep = await episode();
  assert.equal(ep.endReason, 'completed');
  assert.deepEqual(ep.systemPrompt.knowledge?.itemIds, ['K-ab12cd']);
  const kinds = ep.steps.map((s) => s.kind);
  for (const k of ['diagnostics', 'user', 'model', 'tool', 'approval', 'edit', 'citation', 'end']) assert.ok(kinds.includes(k as never), k);
  assert.deepEqual(ep.steps.find((s) => s.kind === 'citation'), { ...ep.steps.find((s) => s.kind === 'citation'), itemIds: ['K-ab12cd'] });
  // The view hears what was in context (right after the start) and what the answer cited.
  const types = events.map((e) => e.type);
  assert.equal(types.indexOf('knowledge_in_context'), types.indexOf('task_started') + 1);
  assert.deepEqual(events.find((e) => e.type === 'knowledge_cited'), { type: 'knowledge_cited', itemIds: ['K-ab12cd'] });
});

test('follow-up continues the same task with history; a new session starts clean', async () => {
  model.reset();
  const { session, episode } = await setup();
  model.enqueue({ text: 'first answer' }, { text: 'second answer' });
  await session.start('first');
  const out = await session.followUp('second');
  assert.equal(out.finalText, 'second answer');
  assert.deepEqual(model.requests[1].messages.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
  await session.feedback('down', 'too slow');
  const ep = await episode();
  assert.equal(ep.steps.filter((s) => s.kind === 'end').length, 2);
  assert.deepEqual(ep.steps.at(-1), { ...ep.steps.at(-1), kind: 'feedback', rating: 'down', comment: 'too slow' });
  assert.equal(ep.endReason, 'completed');
  const fresh = await setup();
  model.enqueue({ text: 'clean' });
  await fresh.session.start('new');
  assert.equal(model.requests[2].messages.length, 2);
});

test('malformed tool-call JSON and an unknown tool are observations, not crashes', async () => {
  model.reset();
  const { session, episode } = await setup();
  model.enqueue({ toolCalls: [{ name: 'read_file', arguments: '{"path": ' }, { name: 'teleport', arguments: {} }] }, { text: 'ok' });
  assert.equal((await session.start('x')).reason, 'completed');
  const tools = model.requests[1].messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
  assert.match(tools[0], /not valid JSON/);
  assert.match(tools[1], /Unknown tool/);
  assert.equal((await episode()).steps.filter((s) => s.kind === 'error').length, 2);
});

test('approval rejected with a comment goes back to the model; Restricted Mode refuses', async () => {
  model.reset();
  const { session } = await setup({ 'a.txt': 'a' }, { approver: { approve: async () => ({ decision: 'rejected', comment: 'not now' }) } });
  model.enqueue({ toolCalls: [{ name: 'run_command', arguments: { command: 'rm -rf /' } }] }, { text: 'understood' });
  await session.start('clean up');
  assert.match(String(model.requests[1].messages.at(-1)?.content), /rejected.*not now/);
  const restricted = await setup({}, { trusted: false });
  model.enqueue({ toolCalls: [{ name: 'create_file', arguments: { path: 'x', content: '' } }] }, { text: 'ok' });
  await restricted.session.start('make x');
  assert.ok(!model.requests[2].tools?.some((t) => t.function.name === 'create_file'));
  assert.match(String(model.requests[3].messages.at(-1)?.content), /Restricted Mode/);
});

test('stop mid-stream ends with reason stopped', async () => {
  model.reset();
  const { session, events, episode } = await setup();
  model.enqueue({ text: 'a'.repeat(200), chunkSize: 1, chunkDelayMs: 5 });
  const done = session.start('long');
  while (!events.some((e) => e.type === 'text_delta')) await new Promise((r) => setTimeout(r, 5));
  session.stop();
  const out = await done;
  assert.equal(out.reason, 'stopped');
  assert.equal((await episode()).endReason, 'stopped');
});

test('stop cancels a running command', async () => {
  model.reset();
  const { session, events } = await setup({}, { policy: { read: 'auto', edit: 'auto', command: 'auto' } });
  model.enqueue({ toolCalls: [{ name: 'run_command', arguments: { command: 'echo go; sleep 30' } }] });
  const done = session.start('run');
  while (!events.some((e) => e.type === 'command_output')) await new Promise((r) => setTimeout(r, 5));
  session.stop();
  assert.equal((await done).reason, 'stopped');
  const result = events.find((e) => e.type === 'tool_result');
  assert.equal(result?.type === 'tool_result' && result.observation.status, 'cancelled');
});

test('provider 401, mid-stream error and broken stream end the task with reason error', async () => {
  model.reset();
  for (const r of [{ error: { status: 401, message: 'bad key' } }, { text: 'abcd', chunkSize: 1, midStreamError: 'boom' }, { text: 'abcd', chunkSize: 1, breakAfterChunks: 2 }]) {
    const { session, episode } = await setup();
    model.enqueue(r);
    const out = await session.start('x');
    assert.equal(out.reason, 'error');
    const ep = await episode();
    assert.ok(ep.steps.some((s) => s.kind === 'error' && s.source === 'provider'));
  }
});

test('a final answer cut off at the output limit says so and how to get the rest; a whole answer does not', async () => {
  model.reset();
  const cut = await setup();
  model.enqueue({ text: 'The files are', finishReason: 'length' });
  const out = await cut.session.start('list the files');
  assert.equal(out.reason, 'completed');
  assert.match(out.message, /^The answer was cut off at the model's output limit( \(\d[\d,]* tokens\))?\. Send "continue" to get the rest\.$/);
  assert.equal((await cut.episode()).steps.find((s) => s.kind === 'end')?.message, out.message, 'the episode keeps the same words');
  const whole = await setup();
  model.enqueue({ text: 'src has app.ts.' });
  assert.equal((await whole.session.start('list the files')).message, 'The agent finished.');
});

test('max steps ends the task with reason max_steps', async () => {
  model.reset();
  const { session } = await setup({ 'a.txt': 'a' }, { maxSteps: 2 });
  model.enqueue({ toolCalls: [{ name: 'list_dir', arguments: {} }] }, { toolCalls: [{ name: 'list_dir', arguments: {} }] });
  assert.equal((await session.start('loop')).reason, 'max_steps');
});

test('secrets are redacted before they reach disk', async () => {
  model.reset();
  const gh = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
  const { session, base, episode } = await setup({ '.env': `GITHUB_TOKEN=${gh}\nOPENAI=cfg-key-123456\n` });
  model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: '.env' } }] }, { text: `done, token was ${gh}` });
  await session.start(`use password=hunter22 and ${gh}`);
  await episode(); // flushes the recorder
  const files = readdirSync(join(base, 'episodes'));
  const text = files.map((f) => readFileSync(join(base, 'episodes', f), 'utf8')).join('\n');
  assert.ok(!text.includes(gh));
  assert.ok(!text.includes('cfg-key-123456'));
  assert.ok(!text.includes('hunter22'));
  assert.match(text, /REDACTED/);
});

test('stop while an approval is pending ends the task without running the tool', async () => {
  model.reset();
  const { session, events, root } = await setup({}, { approver: { approve: () => new Promise(() => {}) } });
  model.enqueue({ toolCalls: [{ name: 'create_file', arguments: { path: 'never.txt', content: 'x' } }] });
  const done = session.start('make a file');
  while (!events.some((e) => e.type === 'approval_needed')) await new Promise((r) => setTimeout(r, 5));
  session.stop();
  assert.equal((await done).reason, 'stopped');
  assert.equal(readdirSync(root).includes('never.txt'), false);
});

test('edit checks tell whether accepted edits still stand', async () => {
  model.reset();
  const { session, episode, root } = await setup({ 'a.txt': 'one\n', 'b.txt': 'two\n' });
  model.enqueue(
    { toolCalls: [{ name: 'propose_edit', arguments: { path: 'a.txt', search: 'one', replace: 'uno' } }, { name: 'propose_edit', arguments: { path: 'b.txt', search: 'two', replace: 'dos' } }] },
    { text: 'done' },
  );
  await session.start('translate');
  writeFileSync(join(root, 'b.txt'), 'two\n'); // the user reverted the second edit
  const checks = await checkEditsStillStand(await episode(), new NodeToolHost(root));
  assert.deepEqual(checks.map((c) => c.kind === 'edit_check' && [c.path, c.stillStands]), [['a.txt', true], ['b.txt', false]]);
});

test('trust granted and a policy changed mid-task apply from the next model turn and tool call', async () => {
  model.reset();
  let trusted = false;
  let policy = { read: 'auto', edit: 'ask', command: 'ask' } as const as { read: 'auto' | 'ask'; edit: 'auto' | 'ask'; command: 'auto' | 'ask' };
  const asked: string[] = [];
  const { session, root } = await setup({ 'a.txt': 'one\n' }, {
    trusted: () => trusted,
    policy: () => policy,
    approver: { approve: async (r) => { asked.push(r.tool); return { decision: 'approved' }; } },
    onEvent: (e) => {
      // The user trusts the workspace and sets edits to auto while the first (refused) call is on screen.
      if (e.type === 'tool_result' && e.observation.status === 'refused') { trusted = true; policy = { ...policy, edit: 'auto' }; }
    },
  });
  model.enqueue(
    { toolCalls: [{ name: 'propose_edit', arguments: { path: 'a.txt', content: 'two\n' } }] },
    { toolCalls: [{ name: 'propose_edit', arguments: { path: 'a.txt', content: 'three\n' } }] },
    { text: 'done' },
  );
  const outcome = await session.start('change a.txt');
  assert.equal(outcome.reason, 'completed');
  const toolNames = (i: number) => (model.requests[i].tools ?? []).map((t) => t.function.name);
  assert.ok(!toolNames(0).includes('propose_edit'), 'Restricted Mode offers no edit tool');
  assert.ok(toolNames(1).includes('propose_edit'), 'trust granted mid-task: the next turn offers the edit tools');
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'three\n', 'the second edit ran under the new trust');
  assert.deepEqual(asked, [], 'edit policy set to auto mid-task: the second edit was not asked for');
});

test('the episode header records the team adapter the model ran with, and History lists its version', async () => {
  model.reset();
  const { session, episode, store, base } = await setup({}, { adapter: { version: '127.0.0.1_8787#3' } });
  model.enqueue({ text: 'done' });
  await session.start('say done');
  const ep = await episode();
  assert.deepEqual(ep.adapter, { version: '127.0.0.1_8787#3' });
  assert.equal((await store.list()).find((e) => e.id === session.episodeId)?.adapter, '127.0.0.1_8787#3');
  // Rebuilt from the files (another window, or a lost index), the version is still there.
  const again = await TrajectoryStore.open({ episodesDir: join(base, 'episodes'), indexFile: join(mkdtempSync(join(tmpdir(), 'oel-idx-')), 'i.json') });
  assert.equal((await again.list()).find((e) => e.id === session.episodeId)?.adapter, '127.0.0.1_8787#3');
});

test('without an active adapter the header has no adapter field', async () => {
  model.reset();
  const { session, episode } = await setup();
  model.enqueue({ text: 'done' });
  await session.start('say done');
  assert.equal((await episode()).adapter, undefined);
});
