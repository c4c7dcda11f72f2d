import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempWorkspace } from '../helpers';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { executeToolCall, type ToolContext } from '../../../../src/core/tools/executor';
import { DEFAULT_APPROVAL_POLICY, type ApprovalDecision } from '../../../../src/core/tools/host';
import { toolsForModel } from '../../../../src/core/tools/definitions';
import { MAX_READ_BYTES } from '../../../../src/core/tools/readTools';
import type { Step } from '../../../../src/core/trajectory/episode';

function context(root: string, over: Partial<ToolContext> & { decision?: ApprovalDecision } = {}) {
  const steps: Step[] = [];
  const ctx: ToolContext = {
    host: new NodeToolHost(root), approver: { approve: async () => over.decision ?? { decision: 'approved' } },
    policy: DEFAULT_APPROVAL_POLICY, trusted: true, signal: new AbortController().signal, record: (s) => steps.push(s), ...over,
  };
  return { ctx, steps };
}
let n = 0;
const call = (name: string, args: unknown) => ({ id: `c${n++}`, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });

test('read_file, ranges, list_dir and search_text', async () => {
  const root = tempWorkspace({ 'src/a.ts': 'one\ntwo\nthree\n', 'b.md': 'two words' });
  const { ctx } = context(root);
  assert.equal((await executeToolCall(ctx, call('read_file', { path: 'src/a.ts' }))).output, 'one\ntwo\nthree\n');
  assert.match((await executeToolCall(ctx, call('read_file', { path: 'src/a.ts', start_line: 2, end_line: 2 }))).output, /lines 2-2 of 4:\ntwo$/);
  assert.equal((await executeToolCall(ctx, call('list_dir', {}))).output, 'b.md\nsrc/');
  const hits = await executeToolCall(ctx, call('search_text', { query: 'two', glob: '**/*.ts' }));
  assert.equal(hits.output, 'src/a.ts:2: two');
});

test('bad input gives clear observations, never throws', async () => {
  const root = tempWorkspace({ 'big.txt': 'x'.repeat(MAX_READ_BYTES + 10), 'bin.dat': Buffer.from([1, 0, 2, 3]) });
  const { ctx } = context(root);
  const malformed = await executeToolCall(ctx, call('read_file', '{"path": "a'));
  assert.equal(malformed.status, 'error');
  assert.match(malformed.output, /not valid JSON/);
  assert.deepEqual(malformed.args, '{"path": "a');
  assert.match((await executeToolCall(ctx, call('delete_everything', {}))).output, /Unknown tool "delete_everything"/);
  assert.match((await executeToolCall(ctx, call('read_file', { path: 'nope/missing.ts' }))).output, /File not found/);
  assert.match((await executeToolCall(ctx, call('read_file', { path: 'big.txt' }))).output, /over the \d+-byte limit/);
  assert.match((await executeToolCall(ctx, call('read_file', { path: 'bin.dat' }))).output, /binary file/);
  assert.match((await executeToolCall(ctx, call('read_file', {}))).output, /Invalid arguments for read_file: path/);
});

test('paths outside the workspace are refused, symlinks included', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'oel-out-'));
  writeFileSync(join(outside, 'secret.txt'), 'top secret');
  const root = tempWorkspace({ 'ok.txt': 'fine' });
  symlinkSync(outside, join(root, 'link'));
  const { ctx } = context(root);
  for (const path of ['../x', '/etc/passwd', 'link/secret.txt', join(outside, 'secret.txt')]) {
    const obs = await executeToolCall(ctx, call('read_file', { path }));
    assert.equal(obs.status, 'refused', path);
    assert.match(obs.output, /outside the workspace/);
  }
  const created = await executeToolCall(ctx, call('create_file', { path: 'link/new.txt', content: 'x' }));
  assert.equal(created.status, 'refused');
});

test('Restricted Mode offers and allows only read tools', async () => {
  const root = tempWorkspace({ 'a.txt': 'a' });
  assert.deepEqual(toolsForModel(false).map((t) => t.function.name).sort(), ['list_dir', 'read_diagnostics', 'read_file', 'search_text']);
  const { ctx } = context(root, { trusted: false });
  for (const c of [call('run_command', { command: 'echo hi' }), call('create_file', { path: 'b.txt', content: '' }), call('propose_edit', { path: 'a.txt', content: 'b' })]) {
    const obs = await executeToolCall(ctx, c);
    assert.equal(obs.status, 'refused');
    assert.match(obs.output, /Restricted Mode/);
  }
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'a');
});

test('edits: search/replace, whole file, create, rejection with comment', async () => {
  const root = tempWorkspace({ 'a.txt': 'hello world\n' });
  const { ctx, steps } = context(root);
  assert.equal((await executeToolCall(ctx, call('propose_edit', { path: 'a.txt', search: 'world', replace: 'there' }))).status, 'ok');
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'hello there\n');
  assert.match((await executeToolCall(ctx, call('propose_edit', { path: 'a.txt', search: 'absent', replace: 'x' }))).output, /occurs 0 times/);
  await executeToolCall(ctx, call('create_file', { path: 'd/new.txt', content: 'new' }));
  assert.equal(readFileSync(join(root, 'd/new.txt'), 'utf8'), 'new');
  const edit = steps.find((s) => s.kind === 'edit');
  assert.ok(edit && edit.kind === 'edit' && edit.accepted && edit.diff.includes('+hello there'));
  const rejecting = context(root, { decision: { decision: 'rejected', comment: 'use tabs' } });
  const obs = await executeToolCall(rejecting.ctx, call('propose_edit', { path: 'a.txt', content: 'bye' }));
  assert.equal(obs.status, 'rejected');
  assert.match(obs.output, /use tabs/);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'hello there\n');
  assert.ok(rejecting.steps.some((s) => s.kind === 'approval' && s.decision === 'rejected' && s.comment === 'use tabs'));
});

test('commands: exit code, timeout kills the group, cancel', async () => {
  const root = tempWorkspace();
  const { ctx, steps } = context(root, { policy: { read: 'auto', edit: 'auto', command: 'auto' } });
  const ok = await executeToolCall(ctx, call('run_command', { command: 'echo out; echo err >&2; exit 3' }));
  assert.equal(ok.status, 'error');
  assert.match(ok.output, /Exit code 3/);
  assert.match(ok.output, /err/);
  const started = Date.now();
  const slow = await executeToolCall(ctx, call('run_command', { command: 'sleep 30 & sleep 30', timeout_s: 0.3 }));
  assert.equal(slow.status, 'timeout');
  assert.ok(Date.now() - started < 5000);
  // Cancelled as soon as its first output arrives: the command has surely started, however slow the machine.
  const ac = new AbortController();
  const cancelling = context(root, { policy: { read: 'auto', edit: 'auto', command: 'auto' }, signal: ac.signal, onCommandOutput: () => ac.abort() });
  const cancelled = await executeToolCall(cancelling.ctx, call('run_command', { command: 'echo started; sleep 30' }));
  assert.equal(cancelled.status, 'cancelled');
  assert.match(cancelled.output, /started/);
  assert.ok(steps.some((s) => s.kind === 'command' && s.timedOut));
});

test('long observations are truncated with the original size noted', async () => {
  const root = tempWorkspace({ 'long.txt': 'y'.repeat(100_000) });
  const { ctx } = context(root);
  const obs = await executeToolCall(ctx, call('read_file', { path: 'long.txt' }));
  assert.equal(obs.truncated, true);
  assert.equal(obs.originalSize, 100_000);
  assert.match(obs.output, /truncated: \d+ of 100000 characters omitted/);
});
