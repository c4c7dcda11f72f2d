import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedModel } from '../../../support/scriptedModel';
import { tempWorkspace } from '../helpers';
import { AgentSession } from '../../../../src/core/agent/session';
import { StoreRecorder } from '../../../../src/core/agent/recorder';
import { checkEditsStillStand } from '../../../../src/core/agent/editCheck';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { TrajectoryStore } from '../../../../src/core/trajectory/store';
import { factsOf } from '../../../../src/core/learning/facts';

const model = await startScriptedModel();
after(() => model.close());

/**
 * A task that edits a.txt, creates notes/new.txt, runs a command, then edits a.txt again; tool call ids are
 * c1 (edit), c2 (create), c3 (command), c4 (edit).
 */
async function runTask() {
  model.reset();
  const root = tempWorkspace({ 'a.txt': 'one\ntwo\n', 'keep.txt': 'untouched\n' });
  const base = mkdtempSync(join(tmpdir(), 'oel-ckpt-'));
  const store = await TrajectoryStore.open({ episodesDir: join(base, 'episodes'), indexFile: join(base, 'index.json') });
  const recorder = new StoreRecorder(store, { thorough: false });
  const host = new NodeToolHost(root);
  const session = new AgentSession({
    provider: { baseUrl: model.url, model: 'scripted-model', apiKey: 'k' }, host,
    approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true, recorder,
  });
  model.enqueue(
    { toolCalls: [{ id: 'c1', name: 'propose_edit', arguments: { path: 'a.txt', search: 'one', replace: 'ONE' } }] },
    { toolCalls: [{ id: 'c2', name: 'create_file', arguments: { path: 'notes/new.txt', content: 'created\n' } }] },
    { toolCalls: [{ id: 'c3', name: 'run_command', arguments: { command: 'true' } }] },
    { toolCalls: [{ id: 'c4', name: 'propose_edit', arguments: { path: 'a.txt', search: 'two', replace: 'TWO' } }] },
    { text: 'done' },
  );
  const outcome = await session.start('change a.txt and add a note');
  assert.equal(outcome.reason, 'completed');
  const read = (p: string) => readFileSync(join(root, p), 'utf8');
  assert.equal(read('a.txt'), 'ONE\nTWO\n');
  assert.equal(read('notes/new.txt'), 'created\n');
  const episode = async () => { await recorder.flush(); return store.read(session.episodeId)!; };
  return { root, session, host, read, episode };
}

test('undo all: every file goes back to how it was before the task, a file the agent created is deleted', async () => {
  const { root, session, read, episode, host } = await runTask();
  assert.deepEqual(session.checkpoints.restorable(), ['c1', 'c2', 'c3', 'c4']);
  const r = await session.restoreCheckpoint(null);
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual(r.restored.sort(), ['a.txt', 'notes/new.txt']);
  assert.equal(read('a.txt'), 'one\ntwo\n');
  assert.equal(existsSync(join(root, 'notes/new.txt')), false);
  assert.equal(read('keep.txt'), 'untouched\n');
  // Nothing is left to restore: the checkpoints describe the files as they are now.
  assert.deepEqual(session.checkpoints.restorable(), []);
  // The trajectory says what the user undid: a restore step, and each undone edit no longer stands.
  const ep = await episode();
  const restore = ep.steps.find((s) => s.kind === 'restore');
  assert.ok(restore && restore.kind === 'restore');
  assert.equal(restore.toCallId, null);
  assert.deepEqual([...restore.callIds].sort(), ['c1', 'c2', 'c4']);
  const checks = ep.steps.filter((s) => s.kind === 'edit_check');
  assert.ok(checks.length === 3 && checks.every((c) => c.kind === 'edit_check' && !c.stillStands));
  const facts = factsOf(ep);
  assert.equal(facts.editsAccepted, 3);
  assert.equal(facts.editsStanding, 0);
  // The later scheduled check agrees even if the same lines were typed back: a restored edit did not stand.
  writeFileSync(join(root, 'a.txt'), 'ONE\nTWO\n');
  const later = await checkEditsStillStand(ep, host);
  assert.ok(later.every((c) => c.kind === 'edit_check' && !c.stillStands));
});

test('restoring to a step puts back only what the agent changed from that step on', async () => {
  const { root, session, read, episode } = await runTask();
  // Before the command (c3): only the second edit of a.txt (c4) came after it.
  const r = await session.restoreCheckpoint('c3');
  assert.deepEqual(r.restored, ['a.txt']);
  assert.deepEqual(r.edits, [{ callId: 'c4', path: 'a.txt', kind: 'edit' }]);
  assert.equal(read('a.txt'), 'ONE\ntwo\n');
  assert.equal(read('notes/new.txt'), 'created\n');
  // Then back to before the create (c2): the new file goes, a.txt keeps the first edit.
  await session.restoreCheckpoint('c2');
  assert.equal(existsSync(join(root, 'notes/new.txt')), false);
  assert.equal(read('a.txt'), 'ONE\ntwo\n');
  const ep = await episode();
  const checks = ep.steps.flatMap((s) => (s.kind === 'edit_check' ? [[s.callId, s.stillStands]] : []));
  assert.deepEqual(checks, [['c4', false], ['c2', false]]);
  // The first edit stands: the scheduled check still judges it by the file.
  const later = await checkEditsStillStand(ep, new NodeToolHost(root));
  assert.deepEqual(later.map((c) => c.kind === 'edit_check' && [c.callId, c.stillStands]), [['c1', true], ['c2', false], ['c4', false]]);
});

test("a file the user changed after the task is not overwritten silently: refused, nothing written, unless confirmed", async () => {
  const { root, session, read, episode } = await runTask();
  // The user kept working on a.txt after the agent finished.
  writeFileSync(join(root, 'a.txt'), 'ONE\nTWO\nmy own line\n');
  const refused = await session.restoreCheckpoint(null);
  assert.deepEqual(refused.conflicts.map((c) => c.path), ['a.txt']);
  assert.match(refused.conflicts[0].reason, /a\.txt was changed after the agent wrote it/);
  assert.deepEqual(refused.restored, []);
  // Nothing was written: not a.txt, and not the other file either (a restore is all or nothing before it writes).
  assert.equal(read('a.txt'), 'ONE\nTWO\nmy own line\n');
  assert.equal(read('notes/new.txt'), 'created\n');
  assert.equal((await episode()).steps.some((s) => s.kind === 'restore'), false);
  // The user confirms: restored, and the trajectory says which file was overwritten.
  const forced = await session.restoreCheckpoint(null, { overwrite: true });
  assert.deepEqual(forced.overwritten, ['a.txt']);
  assert.equal(read('a.txt'), 'one\ntwo\n');
  assert.equal(existsSync(join(root, 'notes/new.txt')), false);
  const step = (await episode()).steps.find((s) => s.kind === 'restore');
  assert.deepEqual(step && step.kind === 'restore' && step.overwritten, ['a.txt']);
});

test('a created file the user deleted, or a path that now leads out of the workspace, is reported, not written through', async () => {
  const { root, session, read } = await runTask();
  const { rmSync, symlinkSync } = await import('node:fs');
  const outside = mkdtempSync(join(tmpdir(), 'oel-outside-'));
  rmSync(join(root, 'notes'), { recursive: true });
  // notes/ is now a link out of the workspace: restoring must not write or delete through it.
  symlinkSync(outside, join(root, 'notes'));
  writeFileSync(join(outside, 'new.txt'), 'created\n');
  const r = await session.restoreCheckpoint(null, { overwrite: true });
  assert.deepEqual(r.conflicts.map((c) => c.path), ['notes/new.txt']);
  assert.match(r.conflicts[0].reason, /outside the workspace/);
  assert.equal(readFileSync(join(outside, 'new.txt'), 'utf8'), 'created\n');
  assert.equal(read('a.txt'), 'ONE\nTWO\n');
});

test("in a git repository a command's changes are in its checkpoint; the repository's index, refs and programs are left alone", async () => {
  const { execFileSync } = await import('node:child_process');
  model.reset();
  const root = tempWorkspace({ 'a.txt': 'original a\n', 'b.txt': 'original b\n', 'ignored.log': 'old log\n', '.gitignore': '*.log\n', '.gitattributes': '* filter=evil\n' });
  const g = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  g('init', '-q');
  // A hostile repository: programs its config would have git run (an fsmonitor and a clean filter), each leaving a mark.
  g('config', 'core.fsmonitor', `touch ${join(root, 'fsmonitor-ran')}; false`);
  g('config', 'filter.evil.clean', `touch ${join(root, 'filter-ran')}; cat`);
  const host = new NodeToolHost(root);
  const session = new AgentSession({
    provider: { baseUrl: model.url, model: 'scripted-model', apiKey: 'k' }, host,
    approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true,
  });
  model.enqueue(
    { toolCalls: [{ id: 'cmd', name: 'run_command', arguments: { command: 'echo changed > a.txt && rm b.txt && echo new > c.txt && echo new log > ignored.log' } }] },
    { text: 'done' },
  );
  await session.start('rewrite the files');
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'changed\n');
  assert.deepEqual(session.checkpoints.changes.map((c) => [c.path, c.before, c.after, c.kind]).sort(), [
    ['a.txt', 'original a\n', 'changed\n', 'command'], ['b.txt', 'original b\n', null, 'command'], ['c.txt', null, 'new\n', 'command'],
  ]);
  const r = await session.restoreCheckpoint(null);
  assert.deepEqual(r.conflicts, []);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'original a\n');
  assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'original b\n');
  assert.equal(existsSync(join(root, 'c.txt')), false);
  // Ignored files are git's to ignore: not snapshotted, not restored.
  assert.equal(readFileSync(join(root, 'ignored.log'), 'utf8'), 'new log\n');
  // Nothing of the user's repository changed: no index written, no commit, stash or ref; no repository program ran.
  assert.equal(existsSync(join(root, '.git', 'index')), false);
  assert.equal(g('for-each-ref').trim(), '');
  assert.equal(existsSync(join(root, 'fsmonitor-ran')), false, 'core.fsmonitor did not run');
  assert.equal(existsSync(join(root, 'filter-ran')), false, 'the clean filter did not run');
});
