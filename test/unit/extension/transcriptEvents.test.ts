// What the Agent view shows for each agent event. Every item must also pass the webview protocol's schema: the view
// drops an invalid message, and an invalid item in the transcript would make the whole replay (`init`) invalid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeArgs, transcriptItemFor } from '../../../src/extension/transcriptEvents';
import { ExtensionToWebviewSchema, TranscriptItemSchema, type TranscriptItem } from '../../../src/core/protocol/webview';
import type { AgentEvent } from '../../../src/extension/core';

const observation = { callId: 'call_1', name: 'run_command', args: { command: 'npm test' }, status: 'ok' as const, output: 'exit 0', originalSize: 6, truncated: false, durationMs: 12 };
const request = { callId: 'call_2', tool: 'propose_edit', category: 'edit' as const, summary: 'Edit src/a.ts', detail: '--- a\n+++ b' };

/** Each shown event with the item the view must get. */
const shown: [AgentEvent, TranscriptItem][] = [
  [{ type: 'text_delta', turn: 2, delta: 'Looking at ' }, { type: 'assistantDelta', turn: 2, delta: 'Looking at ' }],
  [{ type: 'tool_call_proposed', turn: 2, callId: 'call_1', name: 'run_command', arguments: '{"command":"npm test"}' },
    { type: 'toolCall', callId: 'call_1', name: 'run_command', summary: 'npm test' }],
  [{ type: 'approval_needed', request }, { type: 'approvalRequest', ...request }],
  [{ type: 'approval_decided', callId: 'call_2', decision: 'rejected', comment: 'not that file' }, { type: 'approvalResolved', callId: 'call_2', decision: 'rejected' }],
  [{ type: 'command_output', callId: 'call_1', chunk: 'PASS a.test.ts\n' }, { type: 'toolOutput', callId: 'call_1', chunk: 'PASS a.test.ts\n' }],
  [{ type: 'tool_result', observation }, { type: 'toolResult', callId: 'call_1', status: 'ok', output: 'exit 0' }],
  [{ type: 'tool_result', observation: { ...observation, callId: 'call_3', status: 'refused', output: 'Restricted Mode' } }, { type: 'toolResult', callId: 'call_3', status: 'refused', output: 'Restricted Mode' }],
  [{ type: 'knowledge_in_context', knowledge: { version: 'v1', itemIds: ['K-abcd', 'K-efgh'], text: '...', tokens: 9 }, items: [{ id: 'K-abcd', text: 'Run the tests' }, { id: 'K-efgh', text: '' }] },
    { type: 'knowledge', items: [{ id: 'K-abcd', text: 'Run the tests' }, { id: 'K-efgh', text: '' }] }],
  // Why each item was chosen and its score reach the view; the reason code stays in the trajectory.
  [{ type: 'knowledge_in_context', knowledge: { version: 'v2', itemIds: ['K-abcd'], text: '...', tokens: 9 }, items: [{ id: 'K-abcd', text: 'Run the tests', score: 1.2, reason: 'file', why: 'names src/a.ts' }] },
    { type: 'knowledge', items: [{ id: 'K-abcd', text: 'Run the tests', why: 'names src/a.ts', score: 1.2 }] }],
  [{ type: 'knowledge_cited', itemIds: ['K-abcd'] }, { type: 'cited', itemIds: ['K-abcd'] }],
  [{ type: 'task_ended', reason: 'max_steps', message: 'Stopped after 30 steps.' }, { type: 'taskEnded', reason: 'max_steps', message: 'Stopped after 30 steps.' }],
  // A failed task carries the fixes that fit, so the view offers Open Settings for a refused connection, not the key.
  [{ type: 'task_ended', reason: 'error', message: 'Nothing is listening at http://127.0.0.1:1/v1 (connection refused).', fixes: ['baseUrl', 'retry'] },
    { type: 'taskEnded', reason: 'error', message: 'Nothing is listening at http://127.0.0.1:1/v1 (connection refused).', fixes: ['baseUrl', 'retry'] }],
  [{ type: 'provider_retry', attempt: 1, retries: 3, delayMs: 2000, message: 'The provider answered 503: busy Retrying in 2 s (retry 1 of 3).' },
    { type: 'notice', message: 'The provider answered 503: busy Retrying in 2 s (retry 1 of 3).' }],
];

for (const [event, expected] of shown) {
  test(`${event.type} becomes a ${expected.type} item the view accepts`, () => {
    const item = transcriptItemFor(event);
    assert.deepEqual(item, expected);
    assert.deepEqual(TranscriptItemSchema.parse(item), expected, 'the webview protocol keeps every field');
  });
}

test('events the transcript does not show map to nothing', () => {
  const turn = { text: '', reasoning: 'hm', toolCalls: [], finishReason: 'stop', usage: null, latencyMs: 5, timeToFirstTokenMs: null };
  for (const e of [
    { type: 'task_started', episodeId: 'e1', title: 'Fix it' },
    { type: 'reasoning_delta', turn: 1, delta: 'thinking' },
    { type: 'turn_finished', turn: 1, result: turn },
  ] satisfies AgentEvent[]) assert.equal(transcriptItemFor(e), null, e.type);
});

test('a whole task\'s items replay as one valid init message', () => {
  const transcript = shown.map(([e]) => transcriptItemFor(e)).filter((i) => i !== null);
  assert.equal(transcript.length, shown.length);
  const init = ExtensionToWebviewSchema.parse({ type: 'init', trusted: true, model: 'm', running: false, feedbackGiven: false, transcript });
  assert.deepEqual(init.type === 'init' && init.transcript, transcript);
});

test('tool cards name what the call touches', () => {
  const cases: [string, object, string][] = [
    ['read_file', { path: 'src/a.ts' }, 'src/a.ts'],
    ['read_file', { path: 'src/a.ts', start_line: 3, end_line: 9 }, 'src/a.ts:3-9'],
    ['read_file', { path: 'src/a.ts', start_line: 3 }, 'src/a.ts:3-'],
    ['list_dir', {}, '.'],
    ['list_dir', { path: 'src' }, 'src'],
    ['search_text', { query: 'TODO' }, '"TODO"'],
    ['search_text', { query: 'TODO', glob: '**/*.ts' }, '"TODO" in **/*.ts'],
    ['read_diagnostics', {}, 'workspace'],
    ['read_diagnostics', { path: 'src/a.ts' }, 'src/a.ts'],
    ['propose_edit', { path: 'src/a.ts', old_text: 'x', new_text: 'y' }, 'src/a.ts'],
    ['create_file', { path: 'src/new.ts', content: 'export {};' }, 'src/new.ts'],
    ['run_command', { command: 'npm test -- --grep login' }, 'npm test -- --grep login'],
    ['read_file', { path: 42 }, '42'], // a model sending the wrong type still gets a readable title
  ];
  for (const [name, args, summary] of cases) assert.equal(summarizeArgs(name, JSON.stringify(args)), summary, `${name} ${JSON.stringify(args)}`);
});

test('arguments that are not JSON, or of an unknown tool, are shown raw and cut to 120 characters', () => {
  const long = `{"path": "${'a'.repeat(300)}`; // a truncated stream
  assert.equal(summarizeArgs('read_file', long), long.slice(0, 120));
  assert.equal(summarizeArgs('read_file', 'not json'), 'not json');
  const unknown = JSON.stringify({ x: 'y'.repeat(200) });
  assert.equal(summarizeArgs('mystery_tool', unknown), unknown.slice(0, 120));
});
