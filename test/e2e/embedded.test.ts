/**
 * The embedded "Local (llama.cpp)" provider in a real VS Code: the packaged extension (with node-llama-cpp staged in
 * the .vsix) in code-server, driven by chromium, running a tiny random GGUF that the test makes with the trainer
 * (init-tiny + export-gguf). The model's words are noise; the tokens, streaming, usage and Stop are real.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { join, resolve } from 'node:path';
import { trustedSettings } from '../support/codeServer';
import { notifications, runCommand, screenshot } from '../support/browser';
import { exportGguf } from '../support/ggufExport';
import { call } from '../unit/server/harness';
import { joinByInvite, releaseRound, startTeamServer, submitItems, teamInvite, type TeamServer } from '../support/teamServer';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { extensionLogs, withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';
import { lastEpisode } from '../support/episodes';
import { createTinyGguf } from '../support/tinyGguf';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const suite = agentSuite('embedded');
const gguf = createTinyGguf();
const settings = trustedSettings({ 'oel.provider.kind': 'llamacpp', 'oel.llamacpp.modelPath': gguf.base, 'oel.llamacpp.contextSize': 12288, 'oel.llamacpp.maxTokens': 64, 'oel.approval.read': 'auto' });

describe('the embedded llama.cpp provider in code-server', { timeout: 600_000, concurrency: 1 }, () => {
  test('a task runs end to end on the local model: streamed tokens, usage recorded, completed, then learned from on the same model', async () => {
    const folder = join(suite.tmp, 'run');
    cpSync(SAMPLE, folder, { recursive: true });
    // A server where `oel.provider.baseUrl` points: learning after an embedded task must never talk to it.
    const httpRequests: string[] = [];
    const http = createServer((req, res) => { httpRequests.push(`${req.method} ${req.url}`); res.writeHead(500).end(); });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const runSettings = { ...settings, 'oel.provider.baseUrl': `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1` };
    try {
      await withWorkbench('embedded-run', { folder, settings: runSettings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
        const view = await openAgentView(page);
        // The tiny random model is named as such, once, with the way to a real one; the picker shows the GGUF, not a
        // server's list.
        const notice = view.locator('[data-testid="tiny-model-notice"]');
        await notice.waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await notice.innerText(), /base\.gguf is a tiny random model: it only proves the wiring/);
        assert.equal(await view.locator('[data-testid="use-real-model"]').innerText(), 'Use a Real Model…');
        assert.match(await view.locator('[data-testid="model-picker"]').innerText(), /base\.gguf\s*local/);
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
        // Learning (extraction `auto`) runs after the task on the same local model: the Output channel says so, with the
        // tokens it used, and no extraction failed. (The tiny model's tokenizer makes the prompt thousands of tokens,
        // slow to read on a CPU; `oel.llamacpp.maxTokens` caps the answer.)
        const oelLog = () => extensionLogs(cs.userDataDir).map((l) => l.text).join('\n');
        const deadline = Date.now() + 300_000;
        while (!/knowledge: learned from 1 task\(s\)/.test(oelLog()) && Date.now() < deadline) await page.waitForTimeout(500);
        const log = oelLog();
        assert.match(log, /knowledge: learned from 1 task\(s\)/, 'learning finished');
        assert.match(log, /knowledge: 1 extraction\(s\) ran on the local model base\.gguf \(embedded llama\.cpp\), [1-9]\d* tokens/);
        assert.doesNotMatch(log, /extraction for \S+ failed|Connection error/);
        assert.deepEqual(httpRequests, [], 'nothing went to oel.provider.baseUrl');
      });
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });

  test('Download Recommended Model fetches, verifies and switches the agent to the local model', async () => {
    // Hugging Face is out of reach here: the command's real code path fetches the tiny GGUF from a loopback server,
    // named through the test-only environment variable of the extension host.
    const bytes = readFileSync(gguf.base);
    const served = createServer((_req, res) => { res.writeHead(200, { 'content-length': String(bytes.length) }); res.end(bytes); });
    await new Promise<void>((r) => served.listen(0, '127.0.0.1', r));
    const spec = { label: 'Tiny test model', url: `http://127.0.0.1:${(served.address() as AddressInfo).port}/tiny.gguf`, fileName: 'tiny-download.gguf', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    const folder = join(suite.tmp, 'download');
    cpSync(SAMPLE, folder, { recursive: true });
    const plain = trustedSettings({ 'oel.approval.read': 'auto' });
    try {
      await withWorkbench('embedded-download', { folder, settings: plain, extensionsDir: suite.extensionsDir, env: { OEL_TEST_RECOMMENDED_MODEL: JSON.stringify(spec) } }, async ({ browser: { page }, cs }) => {
        const view = await openAgentView(page);
        await runCommand(page, 'OEL Agent: Download Recommended Model');
        const deadline = Date.now() + 60_000;
        let ready = '';
        while (!ready && Date.now() < deadline) {
          ready = (await notifications(page).catch(() => [] as string[])).find((t) => /Tiny test model is ready and the agent now runs it locally/.test(t)) ?? '';
          if (!ready) await page.waitForTimeout(200);
        }
        assert.ok(ready, 'the command said the model is ready');
        await screenshot(page, 'embedded-00-downloaded');
        const user = JSON.parse(readFileSync(join(cs.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(user['oel.provider.kind'], 'llamacpp');
        const path = String(user['oel.llamacpp.modelPath']);
        assert.match(path, /globalStorage.*[\\/]models[\\/]tiny-download\.gguf$/);
        assert.deepEqual(readFileSync(path), bytes, 'the verified file is in place');
        // The view follows: the picker shows the local GGUF, and the tiny model is named as such.
        await view.locator('[data-testid="model-picker"]', { hasText: 'tiny-download.gguf' }).waitFor({ timeout: 30_000 });
        await view.locator('[data-testid="tiny-model-notice"]').waitFor({ state: 'visible', timeout: 30_000 });
      });
    } finally {
      served.closeAllConnections();
      served.close();
    }
  });

  test('Stop ends a generation on the local model', async () => {
    const folder = join(suite.tmp, 'stop');
    cpSync(SAMPLE, folder, { recursive: true });
    // A generation long enough that it cannot end by itself before Stop, even on a fast machine: up to ~30,000 tokens.
    const long = { ...settings, 'oel.llamacpp.contextSize': 32768, 'oel.llamacpp.maxTokens': 131072 };
    await withWorkbench('embedded-stop', { folder, settings: long, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      const view = await openAgentView(page);
      await sendTask(view, 'Write a very long essay');
      const stop = view.locator('[data-testid="stop"]');
      await stop.waitFor({ state: 'visible', timeout: 60_000 });
      await page.waitForTimeout(1500);
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

/**
 * Issue 11, e2e steps 3-5: the real `oel server` releases version 1 of the team's adapter (a real round on the tiny
 * model; the server converts it to adapter.gguf), the embedded provider runs the GGUF export of that same model, and
 * `oel.adapters.runtime` is `embedded`: activating the version loads adapter.gguf into the local model, the status bar
 * shows the version, and Roll Back unloads it.
 */
describe('a team adapter in the embedded llama.cpp runtime', { timeout: 900_000, concurrency: 1 }, () => {
  let srv: TeamServer;
  let invite = '';
  let baseModelId = '';
  let base = '';
  before(async () => {
    srv = await startTeamServer({ k: 1, gate: { min_kl_reduction: 0, max_ood_kl: 10 } });
    await submitItems(srv, srv.admin, 'emb-1', [{ client_id: 'K-emb00001', text: 'Always run the tests before committing.' }]);
    await releaseRound(srv);
    const m = (await call(srv.url, 'GET', '/v1/adapters/1', srv.admin)).body as { base_model_id: string; files: { name: string }[] };
    assert.ok(m.files.some((f) => f.name === 'adapter.gguf'), `the release lists adapter.gguf: ${JSON.stringify(m).slice(0, 400)}`);
    baseModelId = m.base_model_id;
    base = join(mkdtempSync(join(tmpdir(), 'oel-emb-')), 'team-base.gguf');
    exportGguf(['--model', srv.cfg.model_dir, '--out', base]);
    ({ invite } = await teamInvite(srv));
  });
  after(async () => { await srv?.close(); });

  const statusBarText = (page: Page) => page.locator('.part.statusbar .statusbar-item', { hasText: 'team-base.gguf' }).first().innerText();
  async function waitToast(page: Page, re: RegExp, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = (await notifications(page).catch(() => [] as string[])).map((t) => t.replace(/\s+/g, ' ')).find((t) => re.test(t));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no notification ${re} after ${timeoutMs} ms`);
      await page.waitForTimeout(200);
    }
  }

  test('activating v1 loads adapter.gguf into the local model, the status bar shows it, Roll Back unloads it', async () => {
    const folder = join(suite.tmp, 'team');
    cpSync(SAMPLE, folder, { recursive: true });
    const teamSettings = { ...settings, 'oel.llamacpp.modelPath': base, 'oel.llamacpp.baseModelId': baseModelId, 'oel.adapters.runtime': 'embedded', 'oel.knowledge.extraction': 'off' };
    await withWorkbench('embedded-team', { folder, settings: teamSettings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      await page.locator('.part.statusbar').waitFor();
      assert.doesNotMatch(await statusBarText(page), /adapter v/);
      await joinByInvite(page, invite);
      await waitToast(page, /joined the team at/, 30_000);
      // 3. Joining finds the released version 1 and activates it by itself: activating it loads its adapter.gguf into
      // the embedded model (the runtime says it took it).
      const active = await waitToast(page, /adapter version 1 was (downloaded, )?verified and is now active\. The embedded llama\.cpp runtime took it/, 180_000);
      process.stderr.write(`activation: ${active}\n`);
      const oelLog = () => extensionLogs(cs.userDataDir).map((l) => l.text).join('\n');
      assert.match(oelLog(), /adapter runtime embedded: Adapter version 1 loaded into the local model in \d+ ms \(model kept loaded/);
      // 4. The status bar shows the version.
      await page.waitForFunction(() => Array.from(document.querySelectorAll('.part.statusbar .statusbar-item')).some((e) => /team-base\.gguf · adapter v1/.test(e.textContent ?? '')), undefined, { timeout: 30_000 });
      await screenshot(page, 'embedded-05-adapter-active');
      // A task runs on the adapted local model and its episode records the version.
      const view = await openAgentView(page);
      await sendTask(view, 'Say hello');
      await waitEnd(view, 400_000);
      const header = (await lastEpisode(cs.userDataDir))[0] as { adapter?: { version: string } };
      assert.match(header.adapter?.version ?? '', /#1$/, JSON.stringify(header.adapter));
      // 5. Roll Back: no older version is kept, so back to the base model; the adapter is unloaded.
      await runCommand(page, 'OEL Agent: Roll Back Team Adapter');
      const ask = page.locator('.monaco-dialog-box');
      await ask.waitFor({ state: 'visible', timeout: 15_000 });
      await ask.locator('.monaco-button', { hasText: /^Use Base Model$/ }).click();
      await waitToast(page, /rolled back to the base model/, 60_000);
      assert.match(oelLog(), /adapter runtime embedded: The local model runs without an adapter \(context recreated in \d+ ms\)/);
      await page.waitForFunction(() => Array.from(document.querySelectorAll('.part.statusbar .statusbar-item')).some((e) => /team-base\.gguf/.test(e.textContent ?? '') && !/adapter v/.test(e.textContent ?? '')), undefined, { timeout: 30_000 });
      await screenshot(page, 'embedded-06-rolled-back');
      await view.locator('[data-testid="new-task"]').click();
      await sendTask(view, 'Say hello');
      await waitEnd(view, 400_000);
      const after = (await lastEpisode(cs.userDataDir))[0] as { adapter?: unknown };
      assert.equal(after.adapter, undefined, 'after Roll Back the task runs on the base model');
    });
  });
});
