/**
 * Reviewing what the agent does, in a real VS Code (code-server + chromium, the packaged extension, the scripted
 * model): the conversation's room at 1280x800 while an approval is pending, per-hunk accept of an edit (the file on
 * disk holds exactly the accepted hunk), restoring a checkpoint and undoing all changes of the task (files checked on
 * disk, restores in the trajectory), and the auto-approve toggles writing the user's settings.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { trustedSettings } from '../support/codeServer';
import { findFrameWith, screenshot } from '../support/browser';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';
import { lastEpisode, recordedEpisodes } from '../support/episodes';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const ORIGINAL = readFileSync(join(SAMPLE, 'src/totals.js'), 'utf8');
const BUGGY = 'for (let i = 1; i < lines.length; i++) {';
const FIXED = 'for (let i = 0; i < lines.length; i++) {';
const TAX = 'const tax = Math.round((discounted * (options.taxPercent ?? 0)) / 100);';
const TAX_CHANGED = 'const tax = Math.floor((discounted * (options.taxPercent ?? 0)) / 100);';
/** The agent's whole-file edit: two hunks, the loop fix (0) and an unwanted rounding change far below it (1). */
const PROPOSED = ORIGINAL.replace(BUGGY, FIXED).replace(TAX, TAX_CHANGED);

const suite = agentSuite('review');

describe('reviewing the agent in code-server', { timeout: 600_000, concurrency: 1 }, () => {
  test('room at 1280x800, per-hunk accept, restore a step, undo all, auto-approve toggles', async () => {
    suite.model.reset();
    suite.model.enqueue(
      { toolCalls: [{ id: 'edit1', name: 'propose_edit', arguments: { path: 'src/totals.js', content: PROPOSED } }] },
      { toolCalls: [{ id: 'new1', name: 'create_file', arguments: { path: 'docs/CHANGES.md', content: '# Changes\n\n- subtotal counts the first line\n' } }] },
      { text: 'Fixed subtotal and noted the change.' },
    );
    const folder = join(suite.tmp, 'review');
    cpSync(SAMPLE, folder, { recursive: true });
    const settings = trustedSettings({ 'oel.provider.baseUrl': suite.model.url, 'oel.provider.model': 'scripted-model', 'oel.approval.read': 'auto', 'oel.approval.edit': 'ask', 'oel.approval.command': 'ask' });
    await withWorkbench('review', { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      let view = await openAgentView(page);
      const disk = (p: string) => readFileSync(join(folder, p), 'utf8');
      await sendTask(view, 'subtotal() ignores the first invoice line; fix it');
      const editCard = view.locator('[data-testid="tool-card"][data-call-id="edit1"]');
      await editCard.locator('[data-testid="approve"]').waitFor({ state: 'visible', timeout: 60_000 });
      await page.waitForTimeout(500);

      // Room: with the approval pending, the Agent view has most of the side bar, and the conversation most of it.
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      const agentPane = await page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^Agent/i }) }).first().boundingBox();
      const transcriptHeight = await view.locator('.transcript').evaluate((e) => e.clientHeight);
      assert.ok(sidebar && agentPane, 'side bar and Agent pane are laid out');
      assert.ok(agentPane.height > 0.6 * sidebar.height, `Agent pane ${agentPane.height}px of a ${sidebar.height}px side bar`);
      assert.ok(transcriptHeight > 300, `the conversation has ${transcriptHeight}px while the approval is pending`);
      assert.ok(await editCard.locator('[data-testid="approve"]').isVisible(), 'the approval buttons are in sight');
      await screenshot(page, 'agent-review-01-approval-1280x800');

      // Per-hunk: two hunks, each with its tick box; untick the rounding change, approve the rest.
      const hunks = editCard.locator('[data-testid="diff-hunk"]');
      assert.equal(await hunks.count(), 2);
      await hunks.nth(1).locator('[data-testid="hunk-toggle"]').uncheck();
      assert.equal(await hunks.nth(1).getAttribute('class'), 'hunk-group excluded');
      assert.equal((await editCard.locator('[data-testid="approve"]').innerText()).trim(), 'Approve 1 of 2 changes');
      await hunks.nth(1).scrollIntoViewIfNeeded();
      await screenshot(page, 'agent-review-02-hunk-unticked');
      await editCard.locator('[data-testid="approve"]').click();
      await view.locator('[data-testid="tool-card"][data-call-id="edit1"][data-status="ok"]').waitFor({ timeout: 30_000 });
      assert.equal(disk('src/totals.js'), ORIGINAL.replace(BUGGY, FIXED), 'exactly the accepted hunk is on disk');
      // The decided card still says which change was left out.
      assert.equal(await hunks.nth(1).getAttribute('class'), 'hunk-group excluded');
      assert.match(await hunks.nth(1).innerText(), /not applied/);
      assert.match(await hunks.nth(0).innerText(), /applied/);
      // The model heard which change was left out.
      const toModel = suite.model.requests[1].messages.at(-1);
      assert.match(String(toModel?.content), /1 of the 2 proposed changes[\s\S]*Math\.floor/);

      const createCard = view.locator('[data-testid="tool-card"][data-call-id="new1"]');
      await createCard.locator('[data-testid="approve"]').waitFor({ state: 'visible', timeout: 60_000 });
      await createCard.locator('[data-testid="approve"]').click();
      await waitEnd(view);
      assert.equal(disk('docs/CHANGES.md'), '# Changes\n\n- subtotal counts the first line\n');

      // Restore on the create card: back to before that step; the edit before it stays.
      const restoreCreate = createCard.locator('[data-testid="restore-checkpoint"]');
      await restoreCreate.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await view.locator('[data-testid="undo-all"]').count(), 1);
      await screenshot(page, 'agent-review-03-ended-with-checkpoints');
      await restoreCreate.scrollIntoViewIfNeeded();
      await screenshot(page, 'agent-review-03b-restore-on-card');
      await restoreCreate.click();
      await view.locator('[data-testid="agent-notice"]', { hasText: 'Restored docs/CHANGES.md to before that step.' }).waitFor({ timeout: 15_000 });
      assert.equal(existsSync(join(folder, 'docs/CHANGES.md')), false, 'the file the agent created is gone');
      assert.equal(disk('src/totals.js'), ORIGINAL.replace(BUGGY, FIXED));
      assert.equal(await restoreCreate.count(), 0, 'nothing left to restore at that step');

      // The checkpoints outlive the window: after a reload the restored task still offers Undo all.
      // The transcript is saved within 300 ms of a change; the reload comes after that, as a user's would.
      await page.waitForTimeout(1000);
      await page.reload();
      view = await findFrameWith(page, '[data-testid="agent-view"][data-ready="true"]', 90_000);
      await view.locator('[data-testid="agent-notice"]', { hasText: 'Restored after the window was reloaded' }).waitFor({ state: 'visible', timeout: 30_000 });
      // The user keeps working on the file after the task: Undo all asks before overwriting that work.
      const mine = `${ORIGINAL.replace(BUGGY, FIXED)}// my own note\n`;
      writeFileSync(join(folder, 'src/totals.js'), mine);
      await view.locator('[data-testid="undo-all"]').click();
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await dialog.innerText(), /You changed src\/totals\.js after the agent wrote it/);
      await screenshot(page, 'agent-review-04a-overwrite-asks');
      await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
      await view.locator('[data-testid="agent-notice"]', { hasText: 'Not restored: src/totals.js was changed after the agent wrote it.' }).waitFor({ timeout: 15_000 });
      assert.equal(disk('src/totals.js'), mine, 'Cancel keeps the user\'s work');
      // Undo all changes of the task, confirmed: the file is as it was before the task.
      await view.locator('[data-testid="undo-all"]').click();
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      await dialog.locator('.monaco-button', { hasText: /^Overwrite My Changes$/ }).click();
      await view.locator('[data-testid="agent-notice"]', { hasText: 'Restored src/totals.js to before the task.' }).waitFor({ timeout: 15_000 });
      assert.equal(disk('src/totals.js'), ORIGINAL);
      assert.equal(await view.locator('[data-testid="undo-all"]').count(), 0);
      await screenshot(page, 'agent-review-04-undone');
      // The trajectory records both restores, and the undone edits as not standing.
      const ep = await lastEpisode(cs.userDataDir);
      const restores = ep.filter((s) => s.kind === 'restore');
      assert.deepEqual(restores.map((r) => [r.toCallId, r.paths, r.overwritten]), [['new1', ['docs/CHANGES.md'], undefined], [null, ['src/totals.js'], ['src/totals.js']]]);
      const checks = ep.filter((s) => s.kind === 'edit_check').map((s) => [s.callId, s.stillStands]);
      assert.deepEqual(checks, [['new1', false], ['edit1', false]]);
      const edit = ep.find((s) => s.kind === 'edit' && s.callId === 'edit1');
      assert.doesNotMatch(String(edit?.diff), /Math\.floor/, 'the trajectory keeps the edit as applied');

      // Auto-approve toggles: pressing "Run" writes the user's settings, and the view shows it as on.
      const run = view.locator('[data-testid="auto-approve-command"]');
      assert.equal(await run.getAttribute('aria-pressed'), 'false');
      assert.equal(await view.locator('[data-testid="auto-approve-read"]').getAttribute('aria-pressed'), 'true');
      await run.click();
      await view.locator('[data-testid="auto-approve-command"][aria-pressed="true"]').waitFor({ timeout: 15_000 });
      const userSettings = JSON.parse(readFileSync(join(cs.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(userSettings['oel.approval.command'], 'auto');
      await screenshot(page, 'agent-review-05-auto-approve-run');

      // History → Resume in Agent View: the past task comes back, and a new message goes to the model with it.
      await view.locator('[data-testid="new-task"]').click();
      const historyPane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^History/i }) }).first();
      if (await historyPane.locator('.pane-header[aria-expanded="false"]').count()) await historyPane.locator('.pane-header').click();
      const row = historyPane.locator('.monaco-list-row', { hasText: 'subtotal() ignores the first invoice line' }).first();
      await row.hover();
      await row.locator('.action-label[aria-label="Resume in Agent View"]').click();
      await view.locator('[data-testid="agent-notice"]', { hasText: 'Resumed "subtotal() ignores the first invoice line; fix it" from History' }).waitFor({ timeout: 15_000 });
      assert.equal(await view.locator('[data-testid="tool-card"]').count(), 2, 'the past task is shown with its two cards');
      await screenshot(page, 'agent-review-06-resumed-from-history');
      // "Was this helpful?" under the resumed task records on that task, not nowhere.
      await view.locator('[data-testid="feedback-up"]').click();
      await view.locator('.feedback', { hasText: 'Thanks for the feedback.' }).waitFor({ timeout: 15_000 });
      const pastEpisode = recordedEpisodes(cs.userDataDir).find((e) => e.lines[0].title === 'subtotal() ignores the first invoice line; fix it');
      assert.equal(pastEpisode?.lines.filter((l) => l.kind === 'feedback').at(-1)?.rating, 'up');
      const before = suite.model.requests.length;
      suite.model.enqueue({ text: 'I changed the loop in src/totals.js and added docs/CHANGES.md.' });
      await sendTask(view, 'What did you change?');
      await view.locator('[data-testid="end-banner"]').nth(1).waitFor({ state: 'visible', timeout: 60_000 });
      const sent = suite.model.requests[before].messages;
      assert.deepEqual(sent.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'user']);
      assert.equal(sent[1].content, 'subtotal() ignores the first invoice line; fix it');
      assert.match(String(sent[3].content), /1 of the 2 proposed changes/);
      assert.equal(sent[7].content, 'What did you change?');
    });
  });
});
