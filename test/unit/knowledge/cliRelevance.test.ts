// `oel knowledge prompt --request/--file` shows the slot chosen for that request, the one the agent gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKnowledgeCommand } from '../../../src/cli/knowledgeCommand';
import { FileKnowledgeProvider } from '../../../src/core/knowledge/provider';
import { KNOWLEDGE_FILE } from '../../fixtures/relevance/generate';
import { captureOutput } from '../../support/captureOutput';

function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return captureOutput(() => runKnowledgeCommand(args));
}

test('prompt --request and --file: the slot for that request and open file, as the agent would get it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-kcli-rel-'));
  try {
    await mkdir(join(dir, '.oel'));
    const wsFile = join(dir, '.oel', 'knowledge.md');
    await writeFile(wsFile, await import('node:fs/promises').then((fs) => fs.readFile(KNOWLEDGE_FILE, 'utf8')));
    const request = 'The checkout e2e test is flaky: it sometimes fails to find the Pay button.';
    const args = ['prompt', wsFile, '--request', request, '--file', 'e2e/checkout.spec.ts', '--budget', '600'];
    const printed = await inProcess(args);
    assert.equal(printed.code, 0, printed.stderr);
    const agent = await new FileKnowledgeProvider({ workspaceRoot: dir, workspaceTrusted: () => true, userFile: null, budgetTokens: 600, openFiles: () => ['e2e/checkout.spec.ts'] }).forTask(request);
    assert.equal(printed.stdout, `${agent!.text}\n`, 'what the command prints is what the model gets');
    assert.match(printed.stdout, /Never wait with fixed timeouts in e2e tests/);
    const json = JSON.parse((await inProcess([...args, '--json'])).stdout) as { ranker: string; chosen: { id: string; reason: string; why: string; score: number }[]; itemIds: string[] };
    assert.equal(json.ranker, 'lexical');
    assert.deepEqual(json.chosen.map((c) => c.id), json.itemIds);
    assert.ok(json.chosen.some((c) => c.reason === 'request' && /e2e/.test(c.why)), JSON.stringify(json.chosen));
    // Another request, another slot; no request, the global order.
    const other = await inProcess(['prompt', wsFile, '--request', 'Add a required currency column to the orders table', '--budget', '600']);
    assert.notEqual(other.stdout, printed.stdout);
    assert.match(other.stdout, /migration/i);
    const global = JSON.parse((await inProcess(['prompt', wsFile, '--budget', '600', '--json'])).stdout) as { ranker: string; chosen: { reason: string }[] };
    assert.equal(global.ranker, 'none');
    assert.ok(global.chosen.every((c) => c.reason === 'pinned' || c.reason === 'order'));
  } finally {
    await rm(dir, { recursive: true });
  }
});
