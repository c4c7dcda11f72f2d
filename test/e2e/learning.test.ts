/**
 * The Learning view in a real VS Code (code-server + chromium), after real tasks run against the scripted model: one
 * completed with an edit, a passing command and a citation (thumbs up), one completed with a failing command (thumbs
 * down), one the provider failed, one stopped by the user. The view counts them by outcome, shows feedback, edits and
 * commands, the knowledge file's items by status and the cited item with its evidence; every chart has its table; a
 * task that ends while the view is open shows up without a refresh; the summary is persisted next to the episodes.
 * Screenshots in the dark and the light theme (the theme is switched while the view is open).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { trustedSettings } from '../support/codeServer';
import { findFrameWith, openPalette, runCommand, screenshot } from '../support/browser';
import { withWorkbench } from '../support/workbench';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { agentSuite } from '../support/e2eSuite';
import { findFiles } from '../support/files';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const BUGGY = 'for (let i = 1; i < lines.length; i++) {';
const FIXED = 'for (let i = 0; i < lines.length; i++) {';
const PINNED = 'K-lrnbnds2';
const KNOWLEDGE = `# OEL knowledge

- ${PINNED} [pinned] Invoice totals live in src/totals.js; check the loop bounds there first.
  <!-- oel
  scope: workspace
  sources: -
  helpful: 2
  harmful: 1
  consolidated: false
  -->
- K-lrnread1 [accepted] Read the failing test before editing the implementation.
- K-lrnpend3 [pending] Prefer small commits.

## Pruned

- K-lrnold04 [pruned] Use the legacy build script.
  <!-- oel
  scope: workspace
  sources: -
  helpful: 0
  harmful: 3
  consolidated: false
  was: accepted
  pruned: 2026-01-01T00:00:00.000Z
  -->
`;

const suite = agentSuite('learning');

/** The rows of a card's table as trimmed cell texts (switching the card to its table first). */
async function tableOf(view: Frame, card: string): Promise<string[][]> {
  const c = view.locator(`[data-testid="card"][data-card="${card}"]`);
  if ((await c.getAttribute('data-view')) !== 'table') await c.locator('[data-testid="toggle-table"]').click();
  await c.locator('[data-testid="table"]').waitFor({ state: 'visible', timeout: 10_000 });
  return c.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children).map((cell) => (cell.textContent ?? '').trim())));
}

/** Collapses or expands a pane of the OEL Agent container by its title. */
async function togglePane(page: Page, title: string): Promise<void> {
  await page.locator('.part.sidebar .pane-header', { hasText: new RegExp(`^${title}`, 'i') }).first().click();
}

/** Switches the color theme as a user does: Preferences: Color Theme, then the theme's name. */
async function setTheme(page: Page, theme: string): Promise<void> {
  await openPalette(page, 'Preferences: Color Theme');
  // Not "Browse Color Themes in Marketplace", which the filter also lists.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: /^Preferences: Color Theme/ }).first().click();
  const input = page.locator('.quick-input-widget input.input, .quick-input-box input').first();
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(theme);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

describe('the Learning view in code-server', { timeout: 600_000 }, () => {
  test('several tasks, then the view shows how they went, as charts and tables, in dark and light', async () => {
    suite.model.reset();
    const folder = join(suite.tmp, 'ws');
    cpSync(SAMPLE, folder, { recursive: true });
    mkdirSync(join(folder, '.oel'), { recursive: true });
    writeFileSync(join(folder, '.oel', 'knowledge.md'), KNOWLEDGE);
    const settings = trustedSettings({
      'oel.provider.baseUrl': suite.model.url,
      'oel.provider.model': 'scripted-model',
      'oel.approval.read': 'auto',
      'oel.approval.edit': 'auto',
      'oel.approval.command': 'auto',
      'oel.knowledge.extraction': 'off',
      'workbench.colorTheme': 'Default Dark Modern',
    });
    await withWorkbench('learning', { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      const agent = await openAgentView(page);
      const newTask = () => agent.locator('[data-testid="new-task"]').click();

      // A: read, edit, passing tests, an answer citing the pinned item; thumbs up.
      suite.model.enqueue(
        { toolCalls: [{ name: 'read_file', arguments: { path: 'src/totals.js' } }] },
        { toolCalls: [{ name: 'propose_edit', arguments: { path: 'src/totals.js', search: BUGGY, replace: FIXED } }] },
        { toolCalls: [{ name: 'run_command', arguments: { command: 'npm test' } }] },
        { text: `Fixed the loop bound in subtotal() [${PINNED}]; the tests pass.` },
      );
      await sendTask(agent, 'subtotal() skips the first line; fix it and run the tests');
      assert.match(await waitEnd(agent), /Completed/);
      await agent.locator('[data-testid="feedback-up"]').click();
      await agent.getByText('Thanks for the feedback.').waitFor({ timeout: 15_000 });

      // B: a failing command; thumbs down.
      await newTask();
      suite.model.enqueue(
        { toolCalls: [{ name: 'run_command', arguments: { command: 'node -e "process.exit(3)"' } }] },
        { text: 'The check exits 3; I could not make it pass.' },
      );
      await sendTask(agent, 'make the check pass');
      await waitEnd(agent);
      await agent.locator('[data-testid="feedback-down"]').click();
      await agent.getByText('Thanks for the feedback.').waitFor({ timeout: 15_000 });

      // C: the provider fails.
      await newTask();
      suite.model.enqueue({ error: { status: 400, message: 'context length exceeded' } });
      await sendTask(agent, 'summarize the repository');
      assert.match(await waitEnd(agent), /Error/);

      // D: stopped by the user while the model hangs.
      await newTask();
      suite.model.enqueue({ hang: true });
      await sendTask(agent, 'refactor everything');
      await agent.locator('[data-testid="stop"]').click();
      assert.match(await waitEnd(agent), /Stopped/);

      // The view: opened from the palette, it reads the four tasks.
      await runCommand(page, 'OEL Agent: Show Learning');
      const view = await findFrameWith(page, '[data-testid="learning-view"][data-ready="true"]', 60_000);
      const root = view.locator('[data-testid="learning-view"]');
      await view.locator('[data-testid="learning-view"][data-tasks="4"]').waitFor({ timeout: 30_000 });
      assert.match(await view.locator('[data-testid="headline"]').innerText(), /^4 tasks in the last 30 days · 50% completed · 1 thumbs up, 1 down\./);
      assert.equal(await view.locator('[data-testid="card"] canvas[data-testid="chart"]').count(), 8, 'eight charts');
      const box = await view.locator('[data-card="outcomes"] canvas').boundingBox();
      assert.ok(box && box.width > 150 && box.height > 100, `the outcome chart is drawn at sidebar width: ${JSON.stringify(box)}`);
      assert.match(await view.locator('[data-card="outcomes"] canvas').getAttribute('aria-label') ?? '', /4 tasks: 2 completed, 0 hit the step limit, 1 stopped, 1 errored/);

      // Room for the screenshots: the other panes of the container collapsed, a tall window.
      await page.setViewportSize({ width: 1400, height: 1700 });
      for (const pane of ['Agent', 'Knowledge', 'History']) await togglePane(page, pane);
      await page.waitForTimeout(800);
      await screenshot(page, 'learning-01-dark');

      // Every chart has a table with the same numbers.
      const today = await tableOf(view, 'outcomes');
      assert.equal(today.length, 1, 'one day with tasks');
      assert.deepEqual(today[0].slice(1), ['4', '2', '0', '1', '1', '0'], 'tasks, completed, max steps, stopped, errored, unfinished');
      assert.deepEqual((await tableOf(view, 'feedback'))[0].slice(1), ['4', '1', '1']);
      // One edit proposed and accepted; two commands ran, one passed. (The edit is checked when a later task starts.)
      const signals = (await tableOf(view, 'signals'))[0].slice(1);
      assert.deepEqual([signals[0], signals[1], signals[4], signals[5]], ['1', '1', '2', '1']);
      assert.deepEqual(signals.slice(2, 4), ['1', '1'], 'the accepted edit was checked when task B started, and still stands');
      assert.deepEqual(await tableOf(view, 'statuses'), [
        ['Pending', '1'], ['Accepted', '1'], ['Pinned', '1'], ['Inactive', '0'], ['Pruned', '1'], ['Absorbed by an adapter', '0'], ['Flagged for review', '0'],
      ]);
      const cited = await tableOf(view, 'cited');
      assert.equal(cited.length, 1);
      assert.match(cited[0][0], new RegExp(`^${PINNED}Invoice totals live in src/totals\\.js`), 'the id, then the text from the knowledge file');
      assert.deepEqual(cited[0].slice(1, 3), ['pinned', '1']);
      assert.ok(Number(cited[0][3]) >= 2 && cited[0][4] === '1', `helpful/harmful from the file: ${cited[0].join(' | ')}`);
      for (const card of ['steps', 'tokens', 'knowledge']) assert.equal((await tableOf(view, card)).length, 1, `${card} has its table`);
      await screenshot(page, 'learning-02-tables-dark');
      assert.match(await view.locator('[data-testid="adapters"]').innerText(), /No adapter yet/);

      // Back to charts, by week.
      while ((await view.locator('[data-testid="toggle-table"][aria-pressed="true"]').count()) > 0) await view.locator('[data-testid="toggle-table"][aria-pressed="true"]').first().click();
      await view.locator('[data-testid="granularity-week"]').click();
      await view.locator('[data-testid="learning-view"][data-granularity="week"][data-tasks="4"]').waitFor({ timeout: 15_000 });
      assert.equal(await view.locator('[data-testid="granularity-week"]').getAttribute('aria-pressed'), 'true');

      // A task that ends while the view is open shows up without a refresh.
      await togglePane(page, 'Agent');
      await newTask();
      suite.model.enqueue({ text: 'Nothing to change.' });
      await sendTask(agent, 'check the README');
      await waitEnd(agent);
      await view.locator('[data-testid="learning-view"][data-tasks="5"]').waitFor({ timeout: 30_000 });
      await togglePane(page, 'Agent');

      // Light theme: the view follows it without a reload, charts included (they are redrawn in the new colours).
      const darkText = await view.locator('body').evaluate((b) => getComputedStyle(b).color);
      const pixels = () => view.locator('[data-card="outcomes"] canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
      const darkChart = await pixels();
      await setTheme(page, 'Light Modern');
      await page.locator('.monaco-workbench.vs:not(.vs-dark)').waitFor({ timeout: 30_000 });
      await view.locator('body.vscode-light').waitFor({ timeout: 30_000 });
      await view.locator('body').evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(800);
      assert.notEqual(await view.locator('body').evaluate((b) => getComputedStyle(b).color), darkText, 'the text colour changed with the theme');
      assert.notEqual(await pixels(), darkChart, 'the chart was redrawn in the light theme\'s colours');
      await screenshot(page, 'learning-03-light');
      await view.locator('[data-card="cited"]').scrollIntoViewIfNeeded();
      await screenshot(page, 'learning-04-light-lower');
      assert.equal(await root.getAttribute('data-csp-violations'), null, 'the CSP refused nothing');

      // The summary is on disk next to the episodes, one row per task.
      const deadline = Date.now() + 15_000;
      let rows = 0;
      let summaryFile = '';
      while (Date.now() < deadline) {
        summaryFile = findFiles(join(cs.userDataDir, 'User'), 'learning-summary.jsonl').find((f) => f.includes('oel.oel-agent')) ?? '';
        // JSON Lines: a head line, then one row per task.
        rows = summaryFile ? readFileSync(summaryFile, 'utf8').split('\n').filter(Boolean).length - 1 : 0;
        if (rows === 5) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(rows, 5, `learning-summary.jsonl holds the five tasks (${summaryFile})`);
    });
  });
});
