import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedModel } from '../../../support/scriptedModel';
import { tempWorkspace } from '../helpers';
import { AgentSession } from '../../../../src/core/agent/session';
import { StoreRecorder } from '../../../../src/core/agent/recorder';
import type { AgentEvent } from '../../../../src/core/agent/events';
import type { ApprovalDecision } from '../../../../src/core/tools/host';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { TrajectoryStore } from '../../../../src/core/trajectory/store';
import { applySelectedHunks, hunkCount } from '../../../../src/core/tools/hunks';
import { diffLines } from '../../../../src/webview/agent/unifiedDiff';

const model = await startScriptedModel();
after(() => model.close());

const BEFORE = 'const a = 1;\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\nconst z = 26;\n';
const AFTER = 'const a = 100;\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\nconst z = 2600;\n';

/** Runs one whole-file edit of f.js (BEFORE → AFTER: two hunks) answered with `decision`. */
async function editAnswered(decision: ApprovalDecision) {
  model.reset();
  const root = tempWorkspace({ 'f.js': BEFORE });
  const base = mkdtempSync(join(tmpdir(), 'oel-hunks-'));
  const store = await TrajectoryStore.open({ episodesDir: join(base, 'episodes'), indexFile: join(base, 'index.json') });
  const recorder = new StoreRecorder(store, { thorough: false });
  const events: AgentEvent[] = [];
  const session = new AgentSession({
    provider: { baseUrl: model.url, model: 'scripted-model', apiKey: 'k' }, host: new NodeToolHost(root),
    approver: { approve: async () => decision }, trusted: true, recorder, onEvent: (e) => events.push(e),
  });
  model.enqueue({ toolCalls: [{ id: 'e1', name: 'propose_edit', arguments: { path: 'f.js', content: AFTER } }] }, { text: 'ok' });
  await session.start('change both constants');
  await recorder.flush();
  const observation = events.find((e) => e.type === 'tool_result');
  const asked = events.find((e) => e.type === 'approval_needed');
  return {
    disk: readFileSync(join(root, 'f.js'), 'utf8'),
    output: observation?.type === 'tool_result' ? observation.observation.output : '',
    status: observation?.type === 'tool_result' ? observation.observation.status : '',
    detail: asked?.type === 'approval_needed' ? asked.request.detail : '',
    episode: store.read(session.episodeId)!,
    toModel: () => model.requests[1].messages.at(-1),
  };
}

test('the hunks the card numbers are the hunks the edit is split into', async () => {
  const r = await editAnswered({ decision: 'approved' });
  assert.equal(hunkCount(BEFORE, AFTER), 2);
  assert.equal(diffLines(r.detail).filter((l) => l.kind === 'hunk').length, 2);
  assert.equal(r.disk, AFTER);
});

test('accepting only the second hunk writes exactly that hunk, and the model hears what was left out', async () => {
  const r = await editAnswered({ decision: 'approved', hunks: [1] });
  assert.equal(r.disk, BEFORE.replace('const z = 26;', 'const z = 2600;'));
  assert.equal(r.status, 'ok');
  assert.match(r.output, /1 of the 2 proposed changes/);
  assert.match(r.output, /-const a = 1;\n\+const a = 100;/);
  assert.equal(r.toModel()?.content, r.output);
  // The trajectory keeps the edit as it was applied, not as proposed.
  const edit = r.episode.steps.find((s) => s.kind === 'edit');
  assert.ok(edit?.kind === 'edit' && edit.accepted);
  assert.match(edit.diff, /\+const z = 2600;/);
  assert.doesNotMatch(edit.diff, /\+const a = 100;/);
});

test('accepting no hunk is a rejection: nothing is written', async () => {
  const r = await editAnswered({ decision: 'approved', hunks: [] });
  assert.equal(r.disk, BEFORE);
  assert.equal(r.status, 'rejected');
  const edit = r.episode.steps.find((s) => s.kind === 'edit');
  assert.ok(edit?.kind === 'edit' && !edit.accepted);
});

test('hunk numbers out of range or repeated are ignored; a missing final newline survives', () => {
  assert.equal(applySelectedHunks('f', BEFORE, AFTER, [0, 0, 7, -1])?.after, BEFORE.replace('= 1;', '= 100;'));
  const p = applySelectedHunks('f', 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n', 'A\nb\nc\nd\ne\nf\ng\nh\ni\nJ', [1]);
  assert.equal(p?.after, 'a\nb\nc\nd\ne\nf\ng\nh\ni\nJ');
  assert.deepEqual([p?.accepted, p?.total], [1, 2]);
});
