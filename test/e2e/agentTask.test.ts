/**
 * A whole agent task in a real VS Code (code-server) driven by chromium, against the scripted model server: the user
 * types a task in the Agent view; the model reads the buggy file, proposes an edit (approved in the view), runs the
 * tests (approved), and answers. Checks what the user sees (tool cards, approvals, answer, end banner), what lands
 * on disk (the fixed file; the tests pass), what the model was sent (the file's content came back as a tool result)
 * and the recorded trajectory (an episode file with every step).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { codeServerInstall, installVsix, requireVsix, startCodeServer, trustedSettings, type RunningCodeServer } from '../support/codeServer';
import { findFrameWith, launchBrowser, openWorkbench, screenshot, type TestBrowser } from '../support/browser';
import { startScriptedModel, type ScriptedModel } from '../support/scriptedModel';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const BUGGY = 'for (let i = 1; i < lines.length; i++)';
const FIXED = 'for (let i = 0; i < lines.length; i++)';

let tmp: string;
let extensionsDir: string;

before(() => {
  requireVsix();
  codeServerInstall();
  tmp = mkdtempSync(join(tmpdir(), 'oel-e2e-agent-'));
  extensionsDir = join(tmp, 'extensions');
  installVsix(requireVsix(), extensionsDir);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try { names = readdirSync(d); } catch { return; }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('agent task in code-server', { timeout: 300_000 }, () => {
  test('read, approved edit, approved command, answer: view, disk, model requests and trajectory agree', async () => {
    const folder = join(tmp, 'workspace');
    cpSync(SAMPLE, folder, { recursive: true });
    let model: ScriptedModel | undefined;
    let cs: RunningCodeServer | undefined;
    let browser: TestBrowser | undefined;
    try {
      model = await startScriptedModel();
      model.enqueue(
        { text: 'Let me look at the subtotal code.', toolCalls: [{ id: 'call_read', name: 'read_file', arguments: { path: 'src/totals.js' } }] },
        { text: 'The loop skips the first line.', toolCalls: [{ id: 'call_edit', name: 'propose_edit', arguments: { path: 'src/totals.js', search: BUGGY, replace: FIXED } }] },
        { toolCalls: [{ id: 'call_test', name: 'run_command', arguments: { command: 'npm test' } }] },
        { text: 'Fixed the off-by-one in `subtotal`: the loop now starts at the first line. All tests pass.', chunkSize: 12 },
      );
      cs = await startCodeServer({
        folder,
        extensionsDir,
        settings: trustedSettings({ 'oel.provider.baseUrl': model.url, 'oel.provider.model': 'scripted-model' }),
      });
      browser = await launchBrowser();
      const { page } = browser;
      await openWorkbench(page, cs.folderUrl);
      await page.locator('.part.activitybar .action-label[aria-label^="OEL Agent"]').first().click();
      const view = await findFrameWith(page, '[data-testid="agent-view"][data-ready="true"]', 60_000);
      await view.locator('[data-testid="task-input"]').fill('The subtotal tests fail. Find the bug in src/totals.js, fix it and run the tests.');
      await view.locator('[data-testid="send"]').click();

      // The edit needs approval: approve it in the view.
      const editApproval = view.locator('[data-testid="approval-card"][data-call-id="call_edit"]');
      await editApproval.waitFor({ state: 'visible', timeout: 60_000 });
      assert.match(await editApproval.innerText(), /i = 0/);
      await screenshot(page, 'agent-edit-approval');
      await editApproval.locator('[data-testid="approve"]').click();

      // So does the command.
      const cmdApproval = view.locator('[data-testid="approval-card"][data-call-id="call_test"]');
      await cmdApproval.waitFor({ state: 'visible', timeout: 60_000 });
      assert.match(await cmdApproval.innerText(), /npm test/);
      await screenshot(page, 'agent-command-approval');
      await cmdApproval.locator('[data-testid="approve"]').click();

      const banner = view.locator('[data-testid="end-banner"]');
      await banner.waitFor({ state: 'visible', timeout: 120_000 });
      await page.waitForTimeout(500);
      await screenshot(page, 'agent-task-done');
      assert.equal(await banner.getAttribute('data-reason'), 'completed');

      // The view: three tool cards, all ok; the final answer.
      const cards = view.locator('[data-testid="tool-card"]');
      assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => [e.getAttribute('data-tool'), e.getAttribute('data-status')])), [
        ['read_file', 'ok'], ['propose_edit', 'ok'], ['run_command', 'ok'],
      ]);
      const answers = await view.locator('[data-testid="message-assistant"]').allInnerTexts();
      assert.ok(answers.some((a) => a.includes('Fixed the off-by-one')), `assistant messages: ${JSON.stringify(answers)}`);
      // The command's output (collapsed under "Output" when it succeeded) shows the passing run.
      assert.match((await cards.nth(2).locator('.output').textContent()) ?? '', /pass 4/);

      // Disk: the file is fixed and the workspace's own tests pass.
      const source = readFileSync(join(folder, 'src/totals.js'), 'utf8');
      assert.ok(source.includes(FIXED) && !source.includes(BUGGY), 'src/totals.js was not fixed on disk');
      execFileSync(process.execPath, ['--test', 'test/'], { cwd: folder, stdio: 'pipe' });

      // The model saw the file's content as the read_file result, and the test output as the command's result.
      assert.equal(model.pending(), 0);
      assert.equal(model.requests.length, 4);
      const toolMsgs = model.requests[3].messages.filter((m) => m.role === 'tool');
      assert.equal(toolMsgs.length, 3);
      assert.ok(JSON.stringify(toolMsgs[0].content).includes('subtotal'), 'read_file result lacks the file content');
      assert.ok(JSON.stringify(toolMsgs[2].content).includes('pass 4'), 'run_command result lacks the test output');

      // The trajectory: one episode file under the extension's workspace storage with every step.
      const episodes = filesUnder(cs.userDataDir).filter((p) => p.includes(`${join('oel.oel-agent', 'episodes')}`) && p.endsWith('.jsonl'));
      assert.equal(episodes.length, 1, `episode files: ${JSON.stringify(filesUnder(cs.userDataDir).filter((p) => p.includes('oel')))}`);
      const episode = readFileSync(episodes[0], 'utf8');
      for (const needle of ['read_file', 'propose_edit', 'run_command', 'Fixed the off-by-one']) {
        assert.ok(episode.includes(needle), `episode lacks ${needle}`);
      }
    } catch (err) {
      if (browser) await screenshot(browser.page, 'agent-task-failure').catch(() => undefined);
      if (cs) process.stderr.write(`--- code-server output ---\n${cs.output().slice(-4000)}\n`);
      if (model) process.stderr.write(`--- scripted model: ${model.requests.length} requests, ${model.pending()} pending ---\n`);
      throw err;
    } finally {
      await browser?.close().catch(() => undefined);
      await cs?.stop();
      await model?.close();
    }
  });
});
