// The Agent view's transcript across a window reload: written to a real file, read back, damaged input tolerated,
// secrets not written, and a run the reload cut short closed so the view offers no dead buttons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERRUPTED_MESSAGE, loadTranscript, saveTranscript } from '../../../../src/core/protocol/savedTranscript';
import type { TranscriptItem } from '../../../../src/core/protocol/webview';

const file = () => join(mkdtempSync(join(tmpdir(), 'oel-transcript-')), 'agent-transcript.json');

const finished: TranscriptItem[] = [
  { type: 'user', text: 'fix subtotal' },
  { type: 'assistantDelta', turn: 1, delta: 'Running the tests.' },
  { type: 'toolCall', callId: 'c1', name: 'run_command', summary: 'npm test' },
  { type: 'toolOutput', callId: 'c1', chunk: 'pass 4\n' },
  { type: 'toolResult', callId: 'c1', status: 'ok', output: 'Exit code 0.\npass 4' },
  { type: 'taskEnded', reason: 'completed', message: 'The agent finished.', summary: { durationMs: 1200, tokensIn: 10, tokensOut: 2, files: [], commands: [{ command: 'npm test', exitCode: 0, status: 'ok' }] } },
];

test('a finished task comes back as it was, without the streamed output its result repeats', async () => {
  const f = file();
  await saveTranscript(f, finished);
  const { items, dropped } = await loadTranscript(f);
  assert.equal(dropped, 0);
  assert.deepEqual(items, finished.filter((i) => i.type !== 'toolOutput'));
});

test('a run cut short by the reload is closed: no running call, no open question, an end that says why', async () => {
  const f = file();
  await saveTranscript(f, [
    { type: 'user', text: 'fix it' },
    { type: 'toolCall', callId: 'c1', name: 'run_command', summary: 'npm test' },
    { type: 'toolOutput', callId: 'c1', chunk: 'pass 1\n' },
    { type: 'toolCall', callId: 'c2', name: 'propose_edit', summary: 'src/a.js' },
    { type: 'approvalRequest', callId: 'c2', tool: 'propose_edit', category: 'edit', summary: 'Edit src/a.js', detail: '-a\n+b' },
  ]);
  const { items } = await loadTranscript(f);
  assert.deepEqual(items.slice(2), [
    { type: 'toolOutput', callId: 'c1', chunk: 'pass 1\n' }, // kept: its call has no result to hold it
    { type: 'toolCall', callId: 'c2', name: 'propose_edit', summary: 'src/a.js' },
    { type: 'approvalRequest', callId: 'c2', tool: 'propose_edit', category: 'edit', summary: 'Edit src/a.js', detail: '-a\n+b' },
    { type: 'approvalResolved', callId: 'c2', decision: 'rejected' },
    { type: 'toolResult', callId: 'c1', status: 'cancelled', output: 'Not finished: the window was reloaded.' },
    { type: 'toolResult', callId: 'c2', status: 'cancelled', output: 'Not finished: the window was reloaded.' },
    { type: 'taskEnded', reason: 'stopped', message: INTERRUPTED_MESSAGE },
  ]);
});

test('the API key the user typed is not written to disk', async () => {
  const f = file();
  const key = 'sk-test-0123456789abcdefghijklmnop';
  await saveTranscript(f, [{ type: 'user', text: `use the key ${key}` }], [key]);
  assert.doesNotMatch(readFileSync(f, 'utf8'), new RegExp(key));
});

test('damaged or foreign files lose only what does not fit; none at all is an empty transcript', async () => {
  const f = file();
  assert.deepEqual(await loadTranscript(f), { items: [], dropped: 0 });
  writeFileSync(f, '{ not json');
  assert.deepEqual(await loadTranscript(f), { items: [], dropped: 1 });
  writeFileSync(f, JSON.stringify({ version: 1, items: [{ type: 'user', text: 'kept' }, { type: 'toolCall', callId: '' }, { type: 'script', html: '<img onerror=x>' }, { type: 'taskEnded', reason: 'completed', message: '' }] }));
  const { items, dropped } = await loadTranscript(f);
  assert.equal(dropped, 2);
  assert.deepEqual(items, [{ type: 'user', text: 'kept' }, { type: 'taskEnded', reason: 'completed', message: '' }]);
  writeFileSync(f, JSON.stringify({ version: 99, items: [{ type: 'user', text: 'x' }] }));
  assert.deepEqual((await loadTranscript(f)).items, []);
});

test('an empty transcript (New Task) removes the file', async () => {
  const f = file();
  await saveTranscript(f, finished);
  await saveTranscript(f, []);
  assert.equal(existsSync(f), false);
});

test('the task on screen is saved by id, so a follow-up after the reload can continue it; a damaged id is dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-transcript-'));
  const file = join(dir, 't.json');
  const items: TranscriptItem[] = [{ type: 'user', text: 'hi' }, { type: 'taskEnded', reason: 'completed', message: '' }];
  await saveTranscript(file, items, [], '20261203T101500Z-1a2b3c4d');
  assert.equal((await loadTranscript(file)).episodeId, '20261203T101500Z-1a2b3c4d');
  for (const bad of ['../../etc/passwd', 'a/b', '', 42]) {
    writeFileSync(file, JSON.stringify({ version: 1, items, episodeId: bad }));
    assert.equal((await loadTranscript(file)).episodeId, undefined, String(bad));
  }
});
