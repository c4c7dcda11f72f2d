// Rolling back past the oldest kept version goes back to the base model: the runtime is told that no adapter is
// active, the active record goes (so absorbed knowledge returns to the prompt), and kept versions stay on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deactivateAdapter, readActiveAdapter, type AdapterActivation, type AdapterRuntime } from '../../../../src/core/team/runtime';

test('deactivateAdapter tells the runtime "no adapter", forgets the active version and keeps the stored ones', async () => {
  const root = mkdtempSync(join(tmpdir(), 'oel-deact-'));
  mkdirSync(join(root, 'srv', '1'), { recursive: true });
  writeFileSync(join(root, 'srv', 'active.json'), JSON.stringify({ version: 1, base_model_id: 'tiny', taken: true, target: 'vllm', message: 'ok', activated_at: '2026-12-03T10:00:00Z' }));
  assert.equal((await readActiveAdapter(root, 'srv'))?.version, 1);
  const asked: (AdapterActivation | null)[] = [];
  const runtime: AdapterRuntime = { target: 'vllm', activate: async (a) => { asked.push(a); return { taken: false, target: 'vllm', message: 'unloaded' }; } };
  const res = await deactivateAdapter({ root, server: 'srv', runtime });
  assert.deepEqual(asked, [null], 'the runtime was told to serve the base model');
  assert.equal(res.message, 'unloaded');
  assert.equal(await readActiveAdapter(root, 'srv'), null, 'no version is active any more');
  assert.ok(existsSync(join(root, 'srv', '1')), 'the kept version stays for a later update');
});
