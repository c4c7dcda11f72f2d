// The end-of-task summary's tally, fed a run's events over a real workspace folder: what the banner lists, and the
// text each changed file had before the run (what "open its diff" shows). Paths come from the model: hostile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskTally } from '../../../src/extension/taskTally';
import { TaskSummarySchema } from '../../../src/core/protocol/webview';
import type { AgentEvent } from '../../../src/extension/core';

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'oel-tally-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/a.js'), 'old a\n');
  return root;
}
const call = (callId: string, name: string, args: unknown): AgentEvent => ({ type: 'tool_call_proposed', turn: 1, callId, name, arguments: JSON.stringify(args) });
const result = (callId: string, name: string, args: unknown, status: 'ok' | 'error' | 'rejected' | 'refused' | 'timeout', output: string): AgentEvent =>
  ({ type: 'tool_result', observation: { callId, name, args, status, output, originalSize: output.length, truncated: false, durationMs: 1 } });
const usage = (prompt: number, completion: number): AgentEvent =>
  ({ type: 'turn_finished', turn: 1, result: { text: '', reasoning: '', toolCalls: [], finishReason: 'stop', usage: { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion }, latencyMs: 1, timeToFirstTokenMs: null } });

test('a run: changed and created files with their text before, commands with exit codes, tokens and time', () => {
  const root = workspace();
  const t = new TaskTally(root, 1_000);
  t.observe(usage(100, 20));
  t.observe(call('c1', 'propose_edit', { path: 'src/a.js' }));
  writeFileSync(join(root, 'src/a.js'), 'new a\n'); // the edit is applied after the call was announced
  t.observe(result('c1', 'propose_edit', {}, 'ok', 'Applied.'));
  t.observe(call('c2', 'create_file', { path: 'src/b.js' }));
  writeFileSync(join(root, 'src/b.js'), 'b\n');
  t.observe(result('c2', 'create_file', {}, 'ok', 'Created.'));
  t.observe(call('c3', 'propose_edit', { path: 'src/c.js' }));
  t.observe(result('c3', 'propose_edit', {}, 'rejected', 'The user rejected it.'));
  t.observe(result('c4', 'run_command', { command: 'npm test' }, 'error', 'Exit code 1.\nfail 1'));
  t.observe(result('c5', 'run_command', { command: 'npm run slow' }, 'timeout', 'The command did not finish within 5 s'));
  t.observe(result('c6', 'run_command', { command: 'rm -rf /' }, 'rejected', 'The user rejected it.'));
  t.observe(usage(150, 30));
  const summary = t.summary(13_500);
  assert.deepEqual(summary, {
    durationMs: 12_500, tokensIn: 250, tokensOut: 50,
    files: [{ path: 'src/a.js', created: false }, { path: 'src/b.js', created: true }],
    commands: [{ command: 'npm test', exitCode: 1, status: 'error' }, { command: 'npm run slow', exitCode: null, status: 'timeout' }],
  });
  assert.ok(TaskSummarySchema.safeParse(summary).success, 'what the extension sends passes the protocol');
  assert.equal(t.textBefore('src/a.js'), 'old a\n');
  assert.equal(t.textBefore('src/b.js'), null, 'a new file had no text before');
  assert.equal(t.textBefore('src/c.js'), undefined, 'a rejected edit changed nothing');
});

test('no usage reported: tokens are unknown, not zero', () => {
  const s = new TaskTally(workspace(), 0).summary(5);
  assert.equal(s.tokensIn, null);
  assert.equal(s.tokensOut, null);
});

test('a path outside the workspace, directly or through a symlink, is never read nor listed', () => {
  const root = workspace();
  const outside = mkdtempSync(join(tmpdir(), 'oel-secret-'));
  writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET');
  symlinkSync(outside, join(root, 'link'));
  const t = new TaskTally(root, 0);
  for (const [id, path] of [['c1', '../' + outside.split('/').pop() + '/secret.txt'], ['c2', join(outside, 'secret.txt')], ['c3', 'link/secret.txt']]) {
    t.observe(call(id, 'propose_edit', { path }));
    // Even if the tool had reported success, nothing outside is listed or kept.
    t.observe(result(id, 'propose_edit', {}, 'ok', 'Applied.'));
  }
  assert.deepEqual(t.summary(1).files, []);
  assert.equal(t.textBefore('link/secret.txt'), undefined);
});
