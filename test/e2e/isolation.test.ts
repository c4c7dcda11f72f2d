/**
 * The API key stays inside the extension: another installed extension (test/fixtures/probe-extension, packaged and
 * installed beside OEL Agent in the same code-server) activates OEL Agent and tries to reach the key that the user
 * stored in SecretStorage through whatever `activate()` returned. It must find nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { codeServerInstall, installVsix, requireVsix, trustedSettings } from '../support/codeServer';
import { notifications, runCommand, screenshot } from '../support/browser';
import { startScriptedModel, type ScriptedModel } from '../support/scriptedModel';
import { withWorkbench } from '../support/workbench';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const PROBE = resolve('test/fixtures/probe-extension');
const KEY = 'sk-isolation-test-0123456789abcdef';

let tmp: string;
let extensionsDir: string;
let model: ScriptedModel;

before(async () => {
  codeServerInstall();
  tmp = mkdtempSync(join(tmpdir(), 'oel-e2e-isolation-'));
  extensionsDir = join(tmp, 'extensions');
  installVsix(requireVsix(), extensionsDir);
  const probeVsix = join(tmp, 'oel-probe.vsix');
  const vsce = resolve('node_modules/.bin/vsce');
  const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', probeVsix], { cwd: PROBE, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `packaging the probe extension failed:\n${r.stdout}\n${r.stderr}`);
  installVsix(probeVsix, extensionsDir);
  // The model server checks the key, so a passing Test Connection proves the key really is stored.
  model = await startScriptedModel({ apiKey: KEY });
});

after(async () => {
  await model?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('extension isolation in code-server', { timeout: 300_000 }, () => {
  test('another extension cannot read the stored API key through OEL Agent’s exports', async () => {
    const folder = join(tmp, 'workspace');
    cpSync(SAMPLE, folder, { recursive: true });
    const settings = trustedSettings({ 'oel.provider.baseUrl': model.url, 'oel.provider.model': 'scripted-model' });
    await withWorkbench('isolation', { folder, settings, extensionsDir }, async ({ browser: { page } }) => {
      // The extension has activated once its status bar item shows the model (its commands are registered then).
      await page.locator('.statusbar-item', { hasText: 'scripted-model' }).first().waitFor({ state: 'visible', timeout: 90_000 });
      await runCommand(page, 'OEL Agent: Set API Key');
      const input = page.locator('.quick-input-widget input.input, .quick-input-box input').first();
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(KEY);
      await page.keyboard.press('Enter');
      await waitFor('the "API key saved" message', async () => ((await notifications(page)).some((n) => n.includes('API key saved')) ? true : undefined));

      model.enqueue({ toolCalls: [{ name: 'ping', arguments: {} }] });
      await runCommand(page, 'OEL Agent: Test Connection');
      const connected = await waitFor('Test Connection to answer', async () => (await notifications(page)).find((n) => /Connected to|rejected the API key|OEL Agent: (?!API key saved)/.test(n) && !n.includes('API key saved') && !n.includes('testing')));
      assert.match(connected, /Connected to .*supports tool calling/, 'the key must be stored and accepted before the probe runs');

      await runCommand(page, 'OEL Probe: Read Exports');
      const resultFile = join(folder, '.oel-probe.json');
      const result = await waitFor('the probe extension to report', () => (existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown> : undefined));
      await screenshot(page, 'isolation-probe');
      assert.equal(result.found, true, 'the probe must see OEL Agent installed');
      assert.equal(result.error, null);
      assert.equal(result.exportsType, 'undefined', `OEL Agent exports something to other extensions: ${JSON.stringify(result.shape)}`);
      assert.equal(result.apiKey, null);
      assert.ok(!readFileSync(resultFile, 'utf8').includes(KEY), 'the key leaked to another extension');
    });
  });
});
