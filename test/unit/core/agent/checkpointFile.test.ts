import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempWorkspace } from '../helpers';
import { TaskCheckpoints, restoreAndRecord } from '../../../../src/core/agent/checkpoints';
import { loadCheckpoints, saveCheckpoints } from '../../../../src/core/agent/checkpointFile';
import { WorkspaceFiles } from '../../../../src/core/tools/workspaceFiles';
import type { Step } from '../../../../src/core/trajectory/episode';

const ID = '20261203T101500Z-1a2b3c4d';

function sampleCheckpoints(): TaskCheckpoints {
  const c = new TaskCheckpoints();
  c.mark('e1');
  c.record({ callId: 'e1', path: 'a.txt', before: 'one\n', after: 'ONE\n', kind: 'edit' });
  c.mark('e2');
  c.record({ callId: 'e2', path: 'new.txt', before: null, after: 'fresh\n', kind: 'edit' });
  return c;
}

test('checkpoints saved by one window restore the files in the next (after a reload, or a task resumed from History)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-ckfile-'));
  const root = tempWorkspace({ 'a.txt': 'ONE\n', 'new.txt': 'fresh\n' });
  assert.equal(await saveCheckpoints(dir, ID, sampleCheckpoints()), true);
  const loaded = await loadCheckpoints(dir, ID);
  assert.deepEqual(loaded?.restorable(), ['e1', 'e2']);
  const steps: Step[] = [];
  const r = await restoreAndRecord(loaded!, new WorkspaceFiles(root), null, {}, (s) => steps.push(s));
  assert.deepEqual(r.conflicts, []);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'one\n');
  assert.equal(existsSync(join(root, 'new.txt')), false);
  assert.deepEqual(steps.map((s) => s.kind), ['restore', 'edit_check', 'edit_check']);
  // Nothing is left to restore: the file goes.
  assert.equal(await saveCheckpoints(dir, ID, loaded!), true);
  assert.equal(existsSync(join(dir, `${ID}.json`)), false);
});

test('a damaged or foreign file gives no checkpoints, and an id that is not an episode id names no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-ckfile-'));
  writeFileSync(join(dir, `${ID}.json`), '{"version":1,"marks":[{"callId":"e1","at":0}],"changes":[{"callId":"e1","path":"a.txt","before":1}]}');
  assert.equal(await loadCheckpoints(dir, ID), null);
  writeFileSync(join(dir, `${ID}.json`), 'not json');
  assert.equal(await loadCheckpoints(dir, ID), null);
  assert.equal(await loadCheckpoints(dir, 'missing-id'), null);
  for (const bad of ['../escape', 'a/b', '']) {
    assert.equal(await saveCheckpoints(dir, bad, sampleCheckpoints()), false, bad);
    assert.equal(await loadCheckpoints(dir, bad), null, bad);
  }
  assert.equal(existsSync(join(dir, '..', 'escape.json')), false);
});
