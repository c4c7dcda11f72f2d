/**
 * A real task in a real VS Code: the packaged extension in code-server, driven by chromium, against the scripted
 * OpenAI-compatible server (the only test double; the extension's openai client talks to it over HTTP).
 * Covers: read -> proposed edit (accepted / rejected) -> approved command -> completed, a path outside the workspace,
 * Restricted Mode, and a provider answering 401. Checks the file on disk, the view, and the trajectory JSONL that
 * the extension writes under its storageUri (`<user-data>/User/workspaceStorage/<hash>/oel.oel-agent/episodes/`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { trustedSettings, untrustedSettings, type RunningCodeServer } from '../support/codeServer';
import { findFrameWith, screenshot } from '../support/browser';
import { openAgentView, sendTask as sendTaskIn, waitEnd as waitEndIn } from '../support/agentView';
import { withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';
import { lastEpisode, recordedEpisodes } from '../support/episodes';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const BUGGY = 'for (let i = 1; i < lines.length; i++) {';
const FIXED = 'for (let i = 0; i < lines.length; i++) {';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const suite = agentSuite('agent');

function providerSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'oel.provider.baseUrl': suite.model.url,
    'oel.provider.model': 'scripted-model',
    'oel.approval.read': 'auto',
    'oel.approval.edit': 'ask',
    'oel.approval.command': 'ask',
    ...extra,
  };
}

interface Ctx { page: Page; view: Frame; cs: RunningCodeServer; folder: string }

/** A scenario on a fresh copy of the sample workspace with the agent view open and ready. */
async function withAgent(name: string, settings: Record<string, unknown>, body: (c: Ctx) => Promise<void>): Promise<void> {
  const folder = join(suite.tmp, name);
  cpSync(SAMPLE, folder, { recursive: true });
  await withWorkbench(name, { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
    const view = await openAgentView(page);
    await screenshot(page, `${name}-01-view`);
    await body({ page, view, cs, folder });
  });
}

const sendTask = (c: Ctx, text: string): Promise<void> => sendTaskIn(c.view, text);
const waitEnd = (c: Ctx, timeoutMs?: number): Promise<string> => waitEndIn(c.view, timeoutMs);

const steps = (ep: Record<string, unknown>[], kind: string) => ep.filter((s) => s.kind === kind);

describe('agent tasks in code-server', { timeout: 600_000, concurrency: 1 }, () => {
  test('reads a file, applies an accepted edit, runs an approved command, completes', async () => {
    suite.model.reset();
    // Each turn reports 1,000 tokens in and 25 out, so the end summary's totals are known.
    const usage = { prompt_tokens: 1000, completion_tokens: 25, total_tokens: 1025 };
    suite.model.enqueue(
      { usage, toolCalls: [{ name: 'read_file', arguments: { path: 'src/totals.js' } }] },
      { usage, text: 'The loop skips the first line.', toolCalls: [{ name: 'propose_edit', arguments: { path: 'src/totals.js', search: BUGGY, replace: FIXED } }] },
      { usage, toolCalls: [{ name: 'run_command', arguments: { command: 'npm test' } }] },
      { usage, text: 'Fixed the off-by-one in subtotal; the tests pass.' },
    );
    await withAgent('accept', trustedSettings(providerSettings({ 'terminal.integrated.gpuAcceleration': 'off' })), async (c) => {
      // Room for the conversation: at 1280x800 the Agent view takes most of the side bar's height, Knowledge and
      // History stay one click away (their headers are there).
      await c.page.setViewportSize({ width: 1280, height: 800 });
      await c.page.waitForTimeout(500);
      const pane = (name: string) => c.page.locator('.part.sidebar .pane', { has: c.page.locator('.pane-header', { hasText: new RegExp(`^${name}`, 'i') }) }).first();
      const agentHeight = (await pane('Agent').boundingBox())?.height ?? 0;
      assert.ok(agentHeight > 360, `the Agent view is ${agentHeight}px high at 800px (a third of the side bar before)`);
      for (const name of ['Knowledge', 'History']) await pane(name).locator('.pane-header').waitFor({ state: 'visible' });
      await screenshot(c.page, 'accept-01-view-1280x800');
      await sendTask(c, 'subtotal() ignores the first invoice line; fix it and run the tests');
      await c.view.locator('[data-testid="approve"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      // One card per action: the question is inside the edit's card, not a second card above or below it.
      const editCard = c.view.locator('[data-testid="tool-card"][data-tool="propose_edit"]');
      assert.equal(await c.view.locator('[data-testid="tool-card"]').count(), 2, 'read_file and propose_edit, nothing else');
      assert.equal(await editCard.locator('[data-testid="approval-card"]').count(), 1);
      assert.equal(await c.view.locator('[data-testid="approval-card"]').count(), 1);
      // The proposed change as a coloured diff: the removed and the added line, in the theme's diff colours.
      const removed = editCard.locator('[data-testid="approval-diff"] .diff-line.del');
      const added = editCard.locator('[data-testid="approval-diff"] .diff-line.add');
      assert.match(await removed.first().innerText(), new RegExp(`^-\\s*${escapeRe(BUGGY)}$`));
      assert.match(await added.first().innerText(), new RegExp(`^\\+\\s*${escapeRe(FIXED)}$`));
      assert.equal(await editCard.locator('[data-testid="approval-diff"]').innerText().then((t) => t.includes('=====')), false, 'no patch header noise');
      const bg = (l: typeof added) => l.first().evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.notEqual(await bg(added), 'rgba(0, 0, 0, 0)', 'added lines are coloured');
      assert.notEqual(await bg(added), await bg(removed), 'added and removed lines differ in colour');
      // Open Diff shows the full editor diff; the decision closes that tab again.
      await editCard.locator('[data-testid="open-diff"]').click();
      const diffTab = c.page.locator('.tabs-container .tab', { hasText: 'proposed by OEL Agent' });
      await diffTab.first().waitFor({ state: 'visible', timeout: 15_000 });
      await screenshot(c.page, 'accept-02-edit-proposed');
      await c.view.locator('[data-testid="approve"]').first().click();
      await diffTab.first().waitFor({ state: 'detached', timeout: 15_000 });
      await c.view.locator('[data-testid="approve"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot(c.page, 'accept-03-command-proposed');
      await c.view.locator('[data-testid="approve"]').first().click();
      const end = await waitEnd(c);
      await screenshot(c.page, 'accept-04-completed');
      assert.match(end, /complete/i);
      // The end summary: time, tokens, the changed file, the command and its exit code.
      const summary = c.view.locator('[data-testid="end-banner"] [data-testid="task-summary"]');
      assert.match(await summary.locator('[data-testid="summary-stats"]').innerText(), /^\d+ (ms|s) · 4,000 tokens in, 100 out$/);
      assert.deepEqual(await summary.locator('[data-testid="summary-file"]').allInnerTexts(), ['src/totals.js']);
      const command = summary.locator('[data-testid="summary-command"]');
      assert.equal(await command.count(), 1);
      assert.equal(await command.getAttribute('data-exit-code'), '0');
      assert.match(await command.innerText(), /npm test[\s\S]*exit 0/);
      // The changed file opens its diff: before the task (the bug) against the file now (the fix).
      await summary.locator('[data-testid="summary-file"]').click();
      await c.page.locator('.tabs-container .tab', { hasText: 'changed by OEL Agent' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await c.page.locator('.monaco-diff-editor .editor.original .view-lines', { hasText: /i\s=\s1;/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await c.page.locator('.monaco-diff-editor .editor.modified .view-lines', { hasText: /i\s=\s0;/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await screenshot(c.page, 'accept-04b-summary-diff');
      assert.match(await c.view.locator('[data-testid="message-assistant"]').last().innerText(), /off-by-one/);
      const cards = c.view.locator('[data-testid="tool-card"]');
      assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => [e.getAttribute('data-tool'), e.getAttribute('data-status')])), [
        ['read_file', 'ok'], ['propose_edit', 'ok'], ['run_command', 'ok'],
      ]);
      // The command's output (collapsed under "Output" when it succeeded) shows the passing run.
      assert.match((await cards.nth(2).locator('.output').textContent()) ?? '', /pass 4/);
      // It also ran live in the task's own terminal, named after the task.
      const terminalTab = c.page.locator('.terminal-tabs-entry, .panel .composite.title .action-label, .single-terminal-tab', { hasText: 'OEL: subtotal() ignores the first' }).first();
      await terminalTab.waitFor({ state: 'visible', timeout: 15_000 });
      // (With GPU acceleration off, xterm renders its visible rows as DOM text that the test can read: the end of the
      // output, the command line itself has scrolled out of view.)
      const terminalText = await c.page.locator('.xterm .xterm-rows').first().innerText();
      assert.match(terminalText, /pass 4/);
      assert.match(terminalText, /the command exited with code 0/);
      await screenshot(c.page, 'accept-05-terminal');

      // Disk: the file is fixed and the workspace's own tests pass.
      const source = readFileSync(join(c.folder, 'src/totals.js'), 'utf8');
      assert.ok(source.includes(FIXED) && !source.includes(BUGGY), 'the edit is on disk');
      execFileSync(process.execPath, ['--test', 'test/'], { cwd: c.folder, stdio: 'pipe' });

      // The model saw the file's content as the read_file result and the test output as the command's result.
      assert.equal(suite.model.pending(), 0);
      // (Learning from the task may have begun meanwhile: its request is not one of the task's.)
      const taskRequests = suite.model.requests.filter((r) => !JSON.stringify(r.messages[0]).includes('You extract reusable experience'));
      assert.equal(taskRequests.length, 4);
      const toolMsgs = taskRequests[3].messages.filter((m) => m.role === 'tool');
      assert.equal(toolMsgs.length, 3);
      assert.ok(JSON.stringify(toolMsgs[0].content).includes('subtotal'), 'read_file result lacks the file content');
      assert.ok(JSON.stringify(toolMsgs[2].content).includes('pass 4'), 'run_command result lacks the test output');

      const ep = await lastEpisode(c.cs.userDataDir);
      assert.ok(steps(ep, 'tool').some((s) => s.name === 'read_file' && s.status === 'ok'), 'read_file ok');
      assert.ok(steps(ep, 'edit').some((s) => s.accepted === true), 'edit accepted');
      assert.ok(steps(ep, 'command').some((s) => s.exitCode === 0), 'command exit 0');
      assert.equal(steps(ep, 'end')[0].reason, 'completed');
    });
  });

  test('a rejected edit leaves the file unchanged and is recorded', async () => {
    suite.model.reset();
    suite.model.enqueue(
      { toolCalls: [{ name: 'propose_edit', arguments: { path: 'src/totals.js', search: BUGGY, replace: FIXED } }] },
      { text: 'Understood, I left the file as it was.' },
    );
    await withAgent('reject', trustedSettings(providerSettings()), async (c) => {
      const before = readFileSync(join(c.folder, 'src/totals.js'), 'utf8');
      await sendTask(c, 'fix subtotal');
      await c.view.locator('[data-testid="reject"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      await c.view.locator('[data-testid="reject"]').first().click();
      // The run completed, but the banner does not pretend the work was done.
      assert.match(await waitEnd(c), /Completed[\s\S]*1 action was rejected or not allowed/);
      await screenshot(c.page, 'reject-02-ended');
      assert.equal(readFileSync(join(c.folder, 'src/totals.js'), 'utf8'), before);
      const ep = await lastEpisode(c.cs.userDataDir);
      assert.ok(steps(ep, 'edit').some((s) => s.accepted === false) || steps(ep, 'approval').some((s) => s.decision === 'rejected'));
    });
  });

  test('the task on screen survives a window reload', async () => {
    suite.model.reset();
    suite.model.enqueue(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'src/totals.js' } }] },
      // Markdown is rendered; HTML in the answer is not (it is shown as the text it is).
      { text: 'subtotal() starts its loop at **1**, so the first line is skipped. <img src=x onerror="document.body.dataset.pwned=1"><script>document.body.dataset.pwned=1</script>' },
    );
    await withAgent('reload', trustedSettings(providerSettings()), async (c) => {
      await sendTask(c, 'Why does subtotal() skip the first line?');
      await waitEnd(c);
      // History opens the task as the rendered Markdown preview, not its source. History starts collapsed (the
      // conversation gets the room): one click on its header opens it.
      const historyPane = c.page.locator('.part.sidebar .pane', { has: c.page.locator('.pane-header', { hasText: /^History/i }) }).first();
      if (await historyPane.locator('.pane-header[aria-expanded="false"]').count()) await historyPane.locator('.pane-header').click();
      const historyRow = historyPane.locator('.monaco-list-row', { hasText: 'Why does subtotal() skip the first line?' }).first();
      await historyRow.click();
      await c.page.locator('.tabs-container .tab', { hasText: /^Preview / }).first().waitFor({ state: 'visible', timeout: 30_000 });
      // The preview renders the task's Markdown: its title is a heading.
      await findFrameWith(c.page, 'body.vscode-body h1:has-text("Why does subtotal() skip the first line?")', 30_000);
      await screenshot(c.page, 'reload-00-history-preview');
      await c.page.reload();
      // The workbench comes back with the OEL Agent side bar open (clicking its icon now would close it).
      const view = await findFrameWith(c.page, '[data-testid="agent-view"][data-ready="true"]', 90_000);
      await view.locator('[data-testid="agent-notice"]', { hasText: 'Restored after the window was reloaded' }).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(c.page, 'reload-01-restored');
      assert.equal(await view.locator('[data-testid="message-user"]').innerText().then((t) => t.includes('Why does subtotal() skip the first line?')), true);
      assert.match(await view.locator('[data-testid="message-assistant"]').last().innerText(), /starts its loop at 1/);
      assert.equal(await view.locator('[data-testid="message-assistant"] strong').last().innerText(), '1', 'Markdown is rendered again');
      const answer = view.locator('[data-testid="message-assistant"]').last();
      assert.equal(await answer.locator('img, script').count(), 0, 'no HTML from the model became markup');
      assert.match(await answer.innerText(), /<img src=x onerror=/);
      assert.equal(await view.locator('body').getAttribute('data-pwned'), null);
      assert.deepEqual(await view.locator('[data-testid="tool-card"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-tool'), e.getAttribute('data-status')])), [['read_file', 'ok']]);
      assert.equal(await view.locator('[data-testid="end-banner"]').getAttribute('data-reason'), 'completed');

      // A follow-up after the reload continues the task: the model gets its whole conversation, as the scripted
      // server receives it, and the new episode says which one it continues.
      await view.locator('[data-testid="agent-notice"]', { hasText: 'A follow-up continues this task' }).waitFor({ state: 'visible', timeout: 5_000 });
      const before = suite.model.requests.length;
      suite.model.enqueue({ text: 'Start the loop at 0.' });
      await sendTask({ ...c, view }, 'So what should the loop start at?');
      await view.locator('[data-testid="end-banner"]').nth(1).waitFor({ state: 'visible', timeout: 60_000 });
      const sent = suite.model.requests[before].messages;
      assert.deepEqual(sent.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
      assert.equal(sent[1].content, 'Why does subtotal() skip the first line?');
      assert.match(String(sent[3].content), /export function subtotal/, 'the file the task read, as the tool result');
      assert.match(String(sent[4].content), /starts its loop at \*\*1\*\*/);
      assert.equal(sent[5].content, 'So what should the loop start at?');
      await screenshot(c.page, 'agent-resumed-after-reload');
      const ep = await lastEpisode(c.cs.userDataDir);
      const first = recordedEpisodes(c.cs.userDataDir).map((e) => e.lines[0]).find((h) => h.title === 'Why does subtotal() skip the first line?');
      assert.equal(ep[0].continues, first?.id, 'recorded as a new episode that continues the first');
    });
  });

  test('a model picked from the server\'s list applies to the next request, and the status bar follows', async () => {
    suite.model.reset();
    suite.model.enqueue({ text: 'Hello from the picked model.' });
    // Configured: a model that cannot call tools (the scripted server answers 400 to it); the user picks another.
    await withAgent('model', trustedSettings(providerSettings({ 'oel.provider.model': 'scripted-no-tools' })), async (c) => {
      const picker = c.view.locator('[data-testid="model-picker"]');
      assert.match(await picker.innerText(), /scripted-no-tools/);
      await picker.click();
      const options = c.view.locator('[data-testid="model-option"]');
      await options.first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.deepEqual((await options.allTextContents()).map((t) => t.trim()), ['scripted-model', 'scripted-no-tools']);
      await screenshot(c.page, 'model-01-listed');
      await options.filter({ hasText: /^scripted-model$/ }).click();
      await c.page.locator('.part.statusbar .statusbar-item', { hasText: /\bscripted-model\b/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await c.view.locator('[data-testid="model-picker"]', { hasText: /^scripted-model$/ }).waitFor({ state: 'visible', timeout: 15_000 });
      const userSettings = JSON.parse(readFileSync(join(c.cs.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(userSettings['oel.provider.model'], 'scripted-model', 'written to the user settings');
      await sendTask(c, 'Say hello');
      assert.match(await waitEnd(c), /Completed/);
      assert.equal(suite.model.requests.at(-1)?.model, 'scripted-model');
      await screenshot(c.page, 'model-02-used');
    });
  });

  test('@ attaches a file: its chip shows, and its content reaches the model with the request', async () => {
    suite.model.reset();
    suite.model.enqueue({ text: 'The loop starts at 1.' });
    await withAgent('attach', trustedSettings(providerSettings()), async (c) => {
      const input = c.view.locator('[data-testid="task-input"]');
      await input.click();
      await input.press('@');
      // VS Code's quick pick, filtered as the user types: the completion of @file.
      const quickInput = c.page.locator('.quick-input-widget input.input, .quick-input-box input').first();
      await quickInput.waitFor({ state: 'visible', timeout: 15_000 });
      await quickInput.fill('totals.js');
      await c.page.locator('.quick-input-list .monaco-list-row', { hasText: 'totals.js' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await quickInput.press('Enter');
      const chip = c.view.locator('[data-testid="context-chip"]');
      await chip.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal((await chip.innerText()).trim(), 'src/totals.js');
      assert.equal(await input.inputValue(), '', 'the @ opened the picker instead of being typed');
      await screenshot(c.page, 'attach-01-chip');
      await sendTask(c, 'Why does subtotal() skip the first line?');
      await waitEnd(c);
      await screenshot(c.page, 'attach-02-sent');
      const sent = suite.model.requests[0].messages.filter((m) => m.role === 'user').map((m) => String(m.content)).join('\n');
      assert.match(sent, /^Why does subtotal\(\) skip the first line\?\n\nAttached file src\/totals\.js:\n```/);
      assert.ok(sent.includes(BUGGY), 'the file\'s content reached the model');
      assert.deepEqual(await c.view.locator('[data-testid="message-context"] .chip').allInnerTexts(), ['src/totals.js']);
      assert.equal(await chip.count(), 0, 'the chips went with the request');
      // Recorded in the trajectory as the user's message, like any other input.
      const ep = await lastEpisode(c.cs.userDataDir);
      assert.ok(steps(ep, 'user').some((u) => String(u.text).includes(BUGGY)));
    });
  });

  test('a path outside the workspace is refused', async () => {
    suite.model.reset();
    suite.model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: '../../../../etc/passwd' } }] }, { text: 'I cannot read that file.' });
    await withAgent('outside', trustedSettings(providerSettings()), async (c) => {
      await sendTask(c, 'show me /etc/passwd');
      await waitEnd(c);
      await screenshot(c.page, 'outside-02-refused');
      const card = await c.view.locator('[data-testid="tool-card"]').first().innerText();
      assert.match(card, /outside|not allowed|refus|denied/i);
      assert.doesNotMatch(card, /root:x:0:0/);
    });
  });

  test('Restricted Mode: the view says so and edits are refused', async () => {
    suite.model.reset();
    suite.model.enqueue(
      { toolCalls: [{ name: 'propose_edit', arguments: { path: 'src/totals.js', search: BUGGY, replace: FIXED } }] },
      { text: 'Edits are not possible in Restricted Mode.' },
    );
    await withAgent('restricted', untrustedSettings(providerSettings()), async (c) => {
      const before = readFileSync(join(c.folder, 'src/totals.js'), 'utf8');
      assert.match(await c.view.locator('body').innerText(), /Restricted Mode/i);
      await sendTask(c, 'fix subtotal');
      assert.match(await waitEnd(c), /rejected or not allowed/);
      await screenshot(c.page, 'restricted-02-refused');
      assert.equal(await c.view.locator('[data-testid="approve"]').count(), 0, 'no approval is offered');
      assert.equal(readFileSync(join(c.folder, 'src/totals.js'), 'utf8'), before);
    });
  });

  test('a provider answering 401 shows an actionable error', async () => {
    suite.model.reset();
    suite.model.enqueue({ error: { status: 401, message: 'Incorrect API key provided' } });
    await withAgent('auth', trustedSettings(providerSettings()), async (c) => {
      await sendTask(c, 'fix subtotal');
      const end = await waitEnd(c);
      await screenshot(c.page, 'auth-02-error');
      // The banner names the cause (the key was rejected, with the provider's own words) and the fix; every error
      // banner carries a "Set API Key" link, so that alone would not say the key is the problem.
      assert.match(end, /rejected the API key \(401\): Incorrect API key provided/);
      assert.ok(end.includes(`The provider at ${suite.model.url}`), end);
      assert.match(end, /Set the right key with "OEL Agent: Set API Key"/);
      assert.equal(await c.view.locator('[data-testid="end-banner"]').last().getAttribute('data-reason'), 'error');
      const ep = await lastEpisode(c.cs.userDataDir);
      assert.equal(steps(ep, 'end')[0].reason, 'error');
    });
  });
});
