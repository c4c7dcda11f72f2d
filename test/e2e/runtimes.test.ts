/**
 * Adapter runtimes in code-server, with the vLLM documentation double as the model endpoint (it forwards the chat
 * requests it accepts to the scripted model server, and answers 404 to a model id it does not serve, as vLLM does).
 *
 * Covered here: with `oel.adapters.runtime: vllm` and no adapter active the agent runs on the configured base model
 * and the status bar shows no adapter; History and the task document show the adapter version a task ran with (an
 * episode as the extension records it under an active adapter); the settings' "Adapter runtime" section.
 * Activating a version needs a joined team, so that step belongs to the team client's e2e, which drives this same
 * double (`startVllmDouble({ baseModel, upstream })`): after activation `chatModels.at(-1)` is the adapter's name.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { trustedSettings } from '../support/codeServer';
import { findFrameWith, runCommand, screenshot } from '../support/browser';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';
import { recordedEpisodes } from '../support/episodes';
import { startVllmDouble, type VllmDouble } from '../support/vllmDouble';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const BASE = 'Qwen/Qwen2.5-Coder-1.5B-Instruct';
const suite = agentSuite('runtimes');
let vllmServer: VllmDouble | undefined;
after(async () => { await vllmServer?.close(); });

/** The extension's episode index under a code-server user-data dir (global storage). */
function indexFile(userDataDir: string): string {
  const found: string[] = [];
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) visit(p);
      else if (n === 'episode-index.json' && p.includes('oel.oel-agent')) found.push(p);
    }
  };
  visit(join(userDataDir, 'User', 'globalStorage'));
  assert.equal(found.length, 1, `one episode index expected: ${JSON.stringify(found)}`);
  return found[0];
}

describe('adapter runtimes in code-server', { timeout: 600_000, concurrency: 1 }, () => {
  test('vLLM as the runtime: the base model without an adapter; History shows the version a task ran with', async () => {
    // Started here, after the suite's scripted model it forwards to.
    const vllm = await startVllmDouble({ baseModel: BASE, upstream: suite.model.url });
    vllmServer = vllm;
    suite.model.reset();
    suite.model.enqueue({ text: 'Hello from the base model.' });
    const folder = join(suite.tmp, 'vllm');
    cpSync(SAMPLE, folder, { recursive: true });
    const settings = trustedSettings({
      'oel.provider.baseUrl': vllm.url, 'oel.provider.model': BASE, 'oel.adapters.runtime': 'vllm', 'oel.approval.read': 'auto',
    });
    await withWorkbench('runtimes', { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      const view = await openAgentView(page);
      const status = page.locator('.part.statusbar .statusbar-item', { hasText: 'Qwen2.5-Coder-1.5B-Instruct' }).first();
      await status.waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok(!(await status.innerText()).includes('adapter'), await status.innerText());

      await sendTask(view, 'Say hello');
      assert.match(await waitEnd(view), /Completed/);
      assert.deepEqual(vllm.chatModels, [BASE], 'no adapter is active: the configured base model is sent');
      const recorded = recordedEpisodes(cs.userDataDir);
      assert.equal(recorded.length, 1);
      assert.equal(recorded[0].lines[0].adapter, undefined, 'no adapter in the header');
      await screenshot(page, 'runtimes-01-base-model');

      // A task recorded while adapter version 3 was active (the header as AgentSession writes it), beside the first.
      const [header, ...steps] = recorded[0].lines;
      const id = `${String(header.id).slice(0, -8)}0000abcd`;
      const title = 'Parser refactor';
      writeFileSync(join(dirname(recorded[0].path), `${id}.jsonl`), [{ ...header, id, title, adapter: { version: '127.0.0.1_8787#3', tokensSaved: 120 } }, ...steps]
        .map((l) => JSON.stringify(l)).join('\n') + '\n');
      const index = indexFile(cs.userDataDir);
      const data = JSON.parse(readFileSync(index, 'utf8')) as { episodes: Record<string, unknown>[] };
      const row = data.episodes.find((e) => e.id === header.id)!;
      data.episodes.push({ ...row, id, title, file: join(dirname(recorded[0].path), `${id}.jsonl`), adapter: '127.0.0.1_8787#3' });
      writeFileSync(index, JSON.stringify(data));
      await runCommand(page, 'OEL Agent: Refresh History');
      const history = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^History/i }) }).first();
      // History starts collapsed (the conversation gets the room): open it as a user would.
      if (await history.locator('.pane-header[aria-expanded="false"]').count()) await history.locator('.pane-header').click();
      const adapted = history.locator('.monaco-list-row', { hasText: title }).first();
      await adapted.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await adapted.innerText(), /adapter v3/);
      assert.ok(!(await history.locator('.monaco-list-row', { hasText: 'Say hello' }).first().innerText()).includes('adapter'));
      await screenshot(page, 'runtimes-02-history-adapter');
      await adapted.click();
      const doc = await findFrameWith(page, 'body.vscode-body li:has-text("Team adapter: v3 from 127.0.0.1_8787 (saved 120 prompt tokens)")', 30_000);
      await doc.locator('li', { hasText: 'Team adapter: v3' }).first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      await screenshot(page, 'runtimes-03-task-document');

      // The settings: the runtime and what each needs, in their own titled section.
      await runCommand(page, 'Preferences: Open User Settings');
      await page.locator('.settings-editor').waitFor({ state: 'visible', timeout: 30_000 });
      await page.keyboard.type('oel.adapters');
      await page.locator('.settings-editor .setting-item-contents', { hasText: 'Where a team\'s verified adapter goes' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForTimeout(500);
      await screenshot(page, 'runtimes-04-settings');
      // Five settings match; the list is virtualized, so the ones on screen are checked by name.
      await page.locator('.settings-editor .settings-count-widget', { hasText: /^5 Settings? Found$/ }).waitFor({ state: 'visible', timeout: 15_000 });
      const titles = await page.locator('.settings-editor .setting-item-title').allInnerTexts();
      for (const t of ['Adapters: Runtime', 'Adapters: Base Url', 'Ollama: Base Model']) assert.ok(titles.some((x) => x.includes(t)), `${t} in ${JSON.stringify(titles)}`);
    });
  });
});
