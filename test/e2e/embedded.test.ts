/**
 * The embedded "Local (llama.cpp)" provider in a real VS Code: the packaged extension (with node-llama-cpp staged in
 * the .vsix) in code-server, driven by chromium, running a tiny random GGUF that the test makes with the trainer
 * (init-tiny + export-gguf). The model's words are noise; the tokens, streaming, usage and Stop are real.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { trustedSettings } from '../support/codeServer';
import { screenshot } from '../support/browser';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';
import { lastEpisode } from '../support/episodes';
import { createTinyGguf } from '../support/tinyGguf';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const suite = agentSuite('embedded');
const gguf = createTinyGguf();
const settings = trustedSettings({ 'oel.provider.kind': 'llamacpp', 'oel.llamacpp.modelPath': gguf.base, 'oel.llamacpp.contextSize': 12288, 'oel.llamacpp.maxTokens': 64, 'oel.approval.read': 'auto' });

describe('the embedded llama.cpp provider in code-server', { timeout: 600_000, concurrency: 1 }, () => {
  test('a task runs end to end on the local model: streamed tokens, usage recorded, completed', async () => {
    const folder = join(suite.tmp, 'run');
    cpSync(SAMPLE, folder, { recursive: true });
    await withWorkbench('embedded-run', { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      const view = await openAgentView(page);
      await screenshot(page, 'embedded-01-view');
      await sendTask(view, 'Say hello');
      const banner = await waitEnd(view, 400_000);
      await screenshot(page, 'embedded-02-ended');
      const ep = await lastEpisode(cs.userDataDir);
      const header = ep.find((s) => s.kind === 'header') as { provider: { baseUrl: string; model: string } };
      assert.deepEqual(header.provider, { baseUrl: 'llamacpp:local', model: 'base.gguf' });
      const model = ep.find((s) => s.kind === 'model') as { usage: { promptTokens: number; completionTokens: number }; timeToFirstTokenMs: number | null } | undefined;
      assert.ok(model, `a model turn was recorded (banner: ${banner})`);
      assert.ok(model.usage.promptTokens > 100 && model.usage.completionTokens > 0, JSON.stringify(model.usage));
      assert.ok(model.timeToFirstTokenMs !== null);
      const end = ep.find((s) => s.kind === 'end') as { reason: string } | undefined;
      assert.ok(end && ['completed', 'max_steps'].includes(end.reason), `ended: ${JSON.stringify(end)} / ${banner}`);
    });
  });

  test('Stop ends a generation on the local model', async () => {
    const folder = join(suite.tmp, 'stop');
    cpSync(SAMPLE, folder, { recursive: true });
    await withWorkbench('embedded-stop', { folder, settings: { ...settings, 'oel.llamacpp.maxTokens': 0 }, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      const view = await openAgentView(page);
      await sendTask(view, 'Write a very long essay');
      const stop = view.locator('[data-testid="stop"]');
      await stop.waitFor({ state: 'visible', timeout: 60_000 });
      await page.waitForTimeout(4000);
      await screenshot(page, 'embedded-03-running');
      const t0 = Date.now();
      await stop.click();
      const banner = await waitEnd(view, 30_000);
      const stoppedInMs = Date.now() - t0;
      await screenshot(page, 'embedded-04-stopped');
      assert.match(banner, /stopped/i);
      assert.ok(stoppedInMs < 15_000, `stopped in ${stoppedInMs} ms`);
      const end = (await lastEpisode(cs.userDataDir)).find((s) => s.kind === 'end') as { reason: string } | undefined;
      assert.equal(end?.reason, 'stopped');
    });
  });
});
