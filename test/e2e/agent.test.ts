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
import { screenshot } from '../support/browser';
import { openAgentView, sendTask as sendTaskIn, waitEnd as waitEndIn } from '../support/agentView';
import { withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';
import { lastEpisode } from '../support/episodes';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const BUGGY = 'for (let i = 1; i < lines.length; i++) {';
const FIXED = 'for (let i = 0; i < lines.length; i++) {';

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
    suite.model.enqueue(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'src/totals.js' } }] },
      { text: 'The loop skips the first line.', toolCalls: [{ name: 'propose_edit', arguments: { path: 'src/totals.js', search: BUGGY, replace: FIXED } }] },
      { toolCalls: [{ name: 'run_command', arguments: { command: 'npm test' } }] },
      { text: 'Fixed the off-by-one in subtotal; the tests pass.' },
    );
    await withAgent('accept', trustedSettings(providerSettings({ 'terminal.integrated.gpuAcceleration': 'off' })), async (c) => {
      await sendTask(c, 'subtotal() ignores the first invoice line; fix it and run the tests');
      await c.view.locator('[data-testid="approve"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot(c.page, 'accept-02-edit-proposed');
      await c.view.locator('[data-testid="approve"]').first().click();
      await c.view.locator('[data-testid="approve"]').first().waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot(c.page, 'accept-03-command-proposed');
      await c.view.locator('[data-testid="approve"]').first().click();
      const end = await waitEnd(c);
      await screenshot(c.page, 'accept-04-completed');
      assert.match(end, /complete/i);
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
      assert.equal(suite.model.requests.length, 4);
      const toolMsgs = suite.model.requests[3].messages.filter((m) => m.role === 'tool');
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
