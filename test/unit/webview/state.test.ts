// The Agent view's transcript reducer, fed the protocol's own messages (each checked against the schema first, so the
// tests cannot drift from what the extension may send).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtensionToWebviewSchema, type ExtensionToWebview, type TranscriptItem } from '../../../src/core/protocol/webview';
import { initialState, reduce, type AssistantEntry, type Entry, type ToolEntry, type ViewState } from '../../../src/webview/agent/state';

function run(messages: ExtensionToWebview[], from: ViewState = initialState()): ViewState {
  let s = from;
  for (const m of messages) s = reduce(s, ExtensionToWebviewSchema.parse(m));
  return s;
}
const items = (...list: TranscriptItem[]): ExtensionToWebview[] => list.map((item) => ({ type: 'item', item }));
const kinds = (s: ViewState) => s.entries.map((e) => e.kind);
const init = (transcript: TranscriptItem[] = [], extra: Partial<Extract<ExtensionToWebview, { type: 'init' }>> = {}): ExtensionToWebview =>
  ({ type: 'init', trusted: true, model: 'm', running: false, feedbackGiven: false, transcript, ...extra });

const task: TranscriptItem[] = [
  { type: 'user', text: 'fix subtotal' },
  { type: 'assistantDelta', turn: 1, delta: 'Reading ' },
  { type: 'assistantDelta', turn: 1, delta: 'the file.' },
  { type: 'toolCall', callId: 'c1', name: 'read_file', summary: 'src/totals.js' },
  { type: 'toolResult', callId: 'c1', status: 'ok', output: 'text' },
  { type: 'toolCall', callId: 'c2', name: 'propose_edit', summary: 'src/totals.js' },
  { type: 'approvalRequest', callId: 'c2', tool: 'propose_edit', category: 'edit', summary: 'Edit src/totals.js', detail: '-a\n+b' },
  { type: 'approvalResolved', callId: 'c2', decision: 'approved' },
  { type: 'toolResult', callId: 'c2', status: 'ok', output: 'applied' },
  { type: 'assistantDelta', turn: 3, delta: 'Done.' },
  { type: 'taskEnded', reason: 'completed', message: 'ok' },
];

test('a task becomes one entry per message, turn and action: the approval is part of its tool call', () => {
  const s = run([init(), ...items(...task)]);
  assert.deepEqual(kinds(s), ['user', 'assistant', 'tool', 'tool', 'assistant', 'ended', 'feedback']);
  const [, first, read, edit] = s.entries as [Entry, AssistantEntry, ToolEntry, ToolEntry];
  assert.equal(first.text, 'Reading the file.', 'deltas of one turn are joined');
  assert.equal(read.status, 'ok');
  assert.equal(read.approval, undefined);
  assert.equal(edit.status, 'ok');
  assert.deepEqual(edit.approval, { category: 'edit', summary: 'Edit src/totals.js', detail: '-a\n+b', decision: 'approved' });
});

test('replaying the transcript on init gives the same entries as the live stream', () => {
  const live = run([init(), ...items(...task)]);
  const replayed = run([init(task)]);
  assert.deepEqual(replayed.entries, live.entries);
  assert.equal(replayed.ready, true);
});

test('a delta after a tool call starts a new message even in the same turn', () => {
  const s = run([init(), ...items(
    { type: 'user', text: 'q' },
    { type: 'assistantDelta', turn: 1, delta: 'a' },
    { type: 'toolCall', callId: 'c1', name: 'list_dir', summary: '.' },
    { type: 'assistantDelta', turn: 1, delta: 'b' },
  )]);
  assert.deepEqual(s.entries.filter((e) => e.kind === 'assistant').map((e) => (e as { text: string }).text), ['a', 'b']);
});

test('only the entry that changed is replaced: others keep their identity', () => {
  const before = run([init(), ...items({ type: 'user', text: 'q' }, { type: 'assistantDelta', turn: 1, delta: 'a' })]);
  const after = run(items({ type: 'assistantDelta', turn: 1, delta: 'b' }), before);
  assert.equal(after.entries[0], before.entries[0]);
  assert.notEqual(after.entries[1], before.entries[1]);
  assert.equal(after.entries[1].key, before.entries[1].key, 'the message keeps its key, so its element is redrawn in place');
});

test('command output streams into its card unfolded; a successful result folds it', () => {
  const s1 = run([init(), ...items(
    { type: 'toolCall', callId: 'c1', name: 'run_command', summary: 'npm test' },
    { type: 'toolOutput', callId: 'c1', chunk: 'pass 1\n' },
    { type: 'toolOutput', callId: 'c1', chunk: 'pass 2\n' },
  )]);
  assert.deepEqual(s1.entries[0], { kind: 'tool', key: 'e0', callId: 'c1', name: 'run_command', summary: 'npm test', status: 'running', output: 'pass 1\npass 2\n', outputOpen: true });
  const ok = run(items({ type: 'toolResult', callId: 'c1', status: 'ok', output: 'exit 0' }), s1);
  assert.equal((ok.entries[0] as { outputOpen: boolean }).outputOpen, false);
  const failed = run(items({ type: 'toolResult', callId: 'c1', status: 'error', output: 'exit 1' }), s1);
  assert.equal((failed.entries[0] as { outputOpen: boolean }).outputOpen, true, 'a failure stays unfolded');
});

test('an approval sets its tool call waiting, and back to running once decided', () => {
  const waiting = run([init(), ...items(
    { type: 'toolCall', callId: 'c1', name: 'run_command', summary: 'npm test' },
    { type: 'approvalRequest', callId: 'c1', tool: 'run_command', category: 'command', summary: 'Run: npm test', detail: 'npm test', reason: 'why' },
  )]);
  assert.equal(waiting.entries.length, 1, 'one card for the call and its question');
  const card = waiting.entries[0] as ToolEntry;
  assert.equal(card.status, 'waiting');
  assert.equal(card.approval?.reason, 'why');
  const decided = run(items({ type: 'approvalResolved', callId: 'c1', decision: 'rejected' }), waiting).entries[0] as ToolEntry;
  assert.equal(decided.status, 'running');
  assert.equal(decided.approval?.decision, 'rejected');
});

test('a completed run with rejected or refused calls counts them for the end banner; a new request resets the count', () => {
  const s = run([init(), ...items(
    { type: 'user', text: 'q' },
    { type: 'toolCall', callId: 'c1', name: 'propose_edit', summary: 'a' },
    { type: 'toolResult', callId: 'c1', status: 'rejected', output: 'no' },
    { type: 'toolCall', callId: 'c2', name: 'run_command', summary: 'b' },
    { type: 'toolResult', callId: 'c2', status: 'refused', output: 'Restricted Mode' },
    { type: 'taskEnded', reason: 'completed', message: '' },
    { type: 'user', text: 'again' },
    { type: 'taskEnded', reason: 'completed', message: '' },
  )]);
  assert.deepEqual(s.entries.filter((e) => e.kind === 'ended').map((e) => (e as { notDone: number }).notDone), [2, 0]);
});

test('feedback is offered after an answer, not after a failure, and goes when the next run starts', () => {
  const failed = run([init(), ...items({ type: 'user', text: 'q' }, { type: 'taskEnded', reason: 'error', message: 'boom', fixes: ['baseUrl', 'retry'] })]);
  assert.deepEqual(kinds(failed), ['user', 'ended']);
  assert.deepEqual((failed.entries[1] as { fixes?: string[] }).fixes, ['baseUrl', 'retry']);
  const done = run([init(), ...items({ type: 'user', text: 'q' }, { type: 'taskEnded', reason: 'completed', message: '' })]);
  assert.equal(kinds(done).at(-1), 'feedback');
  assert.equal(kinds(run([{ type: 'running', running: true }], done)).includes('feedback'), false);
  const rated = run([{ type: 'feedbackStored', rating: 'down' }], done);
  assert.equal((rated.entries.at(-1) as { rating?: string }).rating, 'down');
  // Replayed after feedback was given, or while running: nothing to ask.
  const transcript: TranscriptItem[] = [{ type: 'user', text: 'q' }, { type: 'taskEnded', reason: 'completed', message: '' }];
  assert.equal(kinds(run([init(transcript, { feedbackGiven: true })])).includes('feedback'), false);
  assert.equal(kinds(run([init(transcript)])).includes('feedback'), true);
});

test('knowledge in context is remembered for the tooltips of cited ids; New Task clears it and the transcript', () => {
  const s = run([init(), ...items(
    { type: 'user', text: 'q' },
    { type: 'knowledge', items: [{ id: 'K-abcd', text: 'Run the tests' }] },
    { type: 'cited', itemIds: ['K-abcd'] },
  )]);
  assert.equal(s.knownItems.get('K-abcd'), 'Run the tests');
  const cleared = run([{ type: 'cleared' }], s);
  assert.deepEqual(cleared.entries, []);
  assert.equal(cleared.knownItems.size, 0);
  assert.equal(cleared.model, 'm', 'settings survive New Task');
});

test('Send without a model highlights the notice until a model is set', () => {
  const s = run([init([], { model: '' }), { type: 'needsModel' }]);
  assert.equal(s.modelAttention, true);
  assert.equal(run([{ type: 'settings', trusted: true, model: '' }], s).modelAttention, true);
  assert.equal(run([{ type: 'settings', trusted: false, model: 'qwen' }], s).modelAttention, false);
});

test('results for unknown calls change nothing', () => {
  const s = run([init()]);
  assert.equal(run(items({ type: 'toolResult', callId: 'nope', status: 'ok', output: '' }), s), s);
  assert.equal(run(items({ type: 'approvalResolved', callId: 'nope', decision: 'approved' }), s), s);
});

test('the model picker\'s list arrives with the models message; an error replaces it until the next answer', () => {
  const s = run([init()]);
  assert.equal(s.models, null, 'nothing listed before the picker asked');
  const failed = run([{ type: 'models', models: [], error: 'Cannot reach the provider at http://127.0.0.1:1/v1.' }], s);
  assert.equal(failed.modelsError, 'Cannot reach the provider at http://127.0.0.1:1/v1.');
  const listed = run([{ type: 'models', models: ['a', 'b'] }], failed);
  assert.deepEqual(listed.models, ['a', 'b']);
  assert.equal(listed.modelsError, undefined);
});

test('checkpoints: the cards of restorable calls offer Restore, the last end offers Undo all, and only they are redrawn', () => {
  const s = run([init(), ...items(...task), { type: 'checkpoints', restorable: ['c2'] }]);
  const tools = s.entries.filter((e): e is ToolEntry => e.kind === 'tool');
  assert.deepEqual(tools.map((t) => [t.callId, !!t.restorable]), [['c1', false], ['c2', true]]);
  const ended = s.entries.find((e) => e.kind === 'ended');
  assert.equal(ended?.kind === 'ended' && ended.undoable, true);
  const before = run([init(), ...items(...task)]);
  const first = s.entries.findIndex((e) => e.kind === 'user');
  assert.equal(reduce(before, { type: 'checkpoints', restorable: ['c2'] }).entries[first], before.entries[first], 'unchanged entries keep their identity');
  // After a restore of everything (or while a run goes on) nothing is offered any more.
  const none = reduce(s, { type: 'checkpoints', restorable: [] });
  assert.ok(none.entries.every((e) => !(e.kind === 'tool' && e.restorable) && !(e.kind === 'ended' && e.undoable)));
  // init carries them after the view was hidden and shown again.
  const again = run([init(task, { restorable: ['c2'] })]);
  assert.equal(again.entries.some((e) => e.kind === 'tool' && e.callId === 'c2' && e.restorable), true);
});

test('the auto-approve toggles follow the policy the extension sends, on init and after a settings change', () => {
  const policy = { read: 'auto', edit: 'ask', command: 'ask' } as const;
  const s = run([init([], { policy })]);
  assert.deepEqual(s.policy, policy);
  const changed = reduce(s, { type: 'settings', trusted: true, model: 'm', policy: { ...policy, edit: 'auto' } });
  assert.equal(changed.policy?.edit, 'auto');
  // A settings message without a policy (trust granted) keeps the toggles as they were.
  assert.deepEqual(reduce(changed, { type: 'settings', trusted: false, model: 'm' }).policy, changed.policy);
  assert.equal(initialState().policy, null, 'no toggles before the extension said what the policy is');
});

test('an edit approved in part keeps which hunks were written, so its card marks the others as not applied', () => {
  const s = run([init(), ...items(
    { type: 'toolCall', callId: 'c9', name: 'propose_edit', summary: 'f.js' },
    { type: 'approvalRequest', callId: 'c9', tool: 'propose_edit', category: 'edit', summary: 'Edit f.js', detail: '@@ -1 +1 @@\n-a\n+b\n@@ -9 +9 @@\n-c\n+d' },
    { type: 'approvalResolved', callId: 'c9', decision: 'approved', hunks: [0] },
  )]);
  const card = s.entries.find((e): e is ToolEntry => e.kind === 'tool');
  assert.deepEqual(card?.approval?.hunks, [0]);
  assert.equal(card?.approval?.decision, 'approved');
});
