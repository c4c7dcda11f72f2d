/**
 * Sharing knowledge with a team from a real VS Code (code-server + chromium) against the real `oel server` on
 * loopback (issue 10, e2e steps 1-5): join by invite (the key fingerprint is shown in a modal and confirmed); a task
 * learns an item with a planted e-mail address and home path; the user accepts it and consents to share it (CodeLens);
 * the preview shows the exact JSON with both replaced, beside each item's original → anonymized text; Send from the
 * preview; the server received byte for byte the previewed body, and the item's file records its team id and status.
 * A recording loopback proxy in front of the real server captures what went over the wire (it changes nothing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { trustedSettings } from '../support/codeServer';
import { closePalette, findFrameWith, notifications, openPalette, runCommand, screenshot } from '../support/browser';
import { withWorkbench } from '../support/workbench';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { agentSuite } from '../support/e2eSuite';
import { startFaultyProxy, type FaultyProxy } from '../support/faultyProxy';
import { call } from '../unit/server/harness';
import { joinByInvite, startTeamServer, teamInvite, type TeamServer } from '../support/teamServer';
import { findFiles, waitForFile } from '../support/files';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const AGENT = { systemIncludes: 'You are OEL Agent' };
const EXTRACTOR = { systemIncludes: 'You extract reusable experience' };
const EMAIL = 'ann.smith@acme-corp.example';
const HOME = '/home/annsmith';
const LESSON = `Invoice rounding questions go to ${EMAIL}; the fixtures live in ${HOME}/work/invoices/fixtures.`;

/** An item already in the workspace file, consented: the user drops it in the preview. */
const DROPPED = 'Staging deploys go through the jump host before nine.';
const COMMITTED = ['# OEL knowledge', '', `- K-drop0001 [accepted] ${DROPPED}`, '  <!-- oel', '  scope: workspace', '  sources: -', '  helpful: 0', '  harmful: 0', '  consolidated: false', '  share: yes', '  -->', ''].join('\n');

const suite = agentSuite('team-send');
let srv: TeamServer;
let proxy: FaultyProxy;
let invite: string;
let keyId: string;

before(async () => {
  srv = await startTeamServer();
  proxy = await startFaultyProxy(srv.url);
  ({ invite, keyId } = await teamInvite(srv, { token: srv.tokens.create('alpha', 'member', 'ann').token, url: proxy.url }));
});
after(async () => {
  await proxy?.close();
  await srv?.close();
});

/** The Knowledge view's row holding `text`. */
function knowledgeRow(page: Page, text: string) {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^Knowledge/i }) })
    .locator('.monaco-list-row', { hasText: text }).first();
}

/** The text of the editor whose active tab is `tab` (monaco renders spaces as no-break spaces). */
async function editorText(page: Page, tab = 'next-submission.json'): Promise<string> {
  const group = page.locator('.part.editor .editor-group-container', { has: page.locator('.tab.active', { hasText: tab }) }).first();
  const lines = group.locator('.editor-instance .monaco-editor .view-lines').first();
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

describe('team sending in code-server', { timeout: 600_000 }, () => {
  test('join by invite, learn, consent, preview the exact payload, send', async () => {
    suite.model.reset();
    const folder = join(suite.tmp, 'ws');
    cpSync(SAMPLE, folder, { recursive: true });
    const kfile = join(folder, '.oel', 'knowledge.md');
    mkdirSync(join(folder, '.oel'), { recursive: true });
    writeFileSync(kfile, COMMITTED);
    const settings = trustedSettings({
      'oel.provider.baseUrl': suite.model.url,
      'oel.provider.model': 'scripted-model',
      'oel.approval.read': 'auto',
      'oel.knowledge.extraction': 'auto',
    });
    await withWorkbench('team-send', { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      // The extension is up once its Agent view says it is ready.
      const view = await openAgentView(page);
      // 1. Join by invite: paste it, compare the fingerprint in the modal, join.
      await joinByInvite(page, invite, async (dialog) => {
        const shown = await dialog.innerText();
        assert.ok(shown.includes(keyId), `the modal shows the key fingerprint to compare:\n${shown}`);
        assert.match(shown, /matches the key id in your invite/);
        assert.match(shown, /team "alpha"/);
        assert.ok(!shown.includes(invite.slice(20, 60)), 'the invite (with its token) is not echoed');
        await screenshot(page, 'team-1-join-confirm');
      });
      await page.locator('.notification-toast', { hasText: 'joined the team at' }).first().waitFor({ timeout: 30_000 });
      const status = page.locator('.part.statusbar .statusbar-item', { hasText: 'Team:' }).first();
      await status.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await status.innerText(), /Team: 1 queued · preview to send/, 'the consented item already in the file waits');
      await screenshot(page, 'team-1-joined');

      // 2. A task learns an item that carries an e-mail address and a home path.
      suite.model.enqueue(
        { match: AGENT, toolCalls: [{ name: 'read_file', arguments: { path: 'src/totals.js' } }] },
        { match: AGENT, text: 'Rounding happens per line; ask the owner before changing it.' },
        { match: EXTRACTOR, text: `ITEM [3]: ${LESSON}` },
      );
      await sendTask(view, 'Who decides how invoice totals are rounded?');
      await waitEnd(view);
      await waitForFile(kfile, (t) => t.includes(LESSON), 'the learned item');
      await page.locator('.part.sidebar .pane-header', { hasText: /^Knowledge/i }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await knowledgeRow(page, 'Invoice rounding questions').waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, 'team-2-learned');

      // 3. Accept it, then consent from its CodeLens: `share: yes` in the file; the view says it is to be shared.
      const row = knowledgeRow(page, 'Invoice rounding questions');
      await row.hover();
      await row.locator('.action-label[aria-label^="Accept Knowledge Item"]').click();
      await waitForFile(kfile, (t) => /\[accepted\] Invoice rounding/.test(t), 'the accepted status');
      await runCommand(page, 'OEL Agent: Open Workspace Knowledge File');
      const share = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Share with Team' }).first();
      await share.waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, 'team-3-consent-lens');
      await share.click();
      await waitForFile(kfile, (t) => /share: yes/.test(t), 'the consent in the item metadata');
      await knowledgeRow(page, 'Invoice rounding questions').filter({ hasText: 'to share' }).waitFor({ timeout: 15_000 });
      await page.locator('.part.statusbar .statusbar-item', { hasText: 'Team: 2 queued' }).first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'team-3-consented');

      // 4. The preview: the exact JSON, and beside it each item original → anonymized. Drop the other item first: it
      // becomes `share: no` in the file and leaves the submission.
      await runCommand(page, 'OEL Agent: Preview Next Submission');
      let panel = await findFrameWith(page, '[data-testid="preview-item"][data-id="K-drop0001"]', 30_000);
      assert.equal(await panel.locator('[data-testid="preview-item"]').count(), 2);
      // The committed item's consent is only the file's; the learned one was consented here (its CodeLens).
      assert.equal(await panel.locator('[data-testid="preview-item"][data-id="K-drop0001"] [data-testid="preview-file-consent"]').count(), 1);
      assert.equal(await panel.locator('[data-testid="preview-file-consent"]').count(), 1);
      await page.locator('.tab', { hasText: 'next-submission.json' }).first().waitFor({ timeout: 15_000 });
      assert.match(await editorText(page), /K-drop0001/);
      await screenshot(page, 'team-4-preview-two');
      await panel.locator('[data-testid="preview-item"][data-id="K-drop0001"] [data-testid="preview-drop"]').click();
      await waitForFile(kfile, (t) => /K-drop0001[\s\S]*?share: no/.test(t), 'the dropped item marked share: no');
      const deadline = Date.now() + 15_000;
      while (!(await editorText(page)).includes('"client_id"') || (await editorText(page)).includes('K-drop0001')) {
        if (Date.now() > deadline) throw new Error(`the JSON still has the dropped item:\n${await editorText(page)}`);
        await page.waitForTimeout(250);
      }
      panel = await findFrameWith(page, '[data-testid="preview-item"]:not([data-id="K-drop0001"])', 15_000);
      assert.equal(await panel.locator('[data-testid="preview-item"]').count(), 1, 'the dropped item left the preview');
      const itemRow = panel.locator('[data-testid="preview-item"]').first();
      const rowText = await itemRow.innerText();
      assert.ok(rowText.includes(EMAIL) && rowText.includes(HOME), 'the original is shown as it reads in the file');
      assert.match(rowText, /<email>/);
      assert.match(rowText, /<home>\/work\/invoices\/fixtures/);
      await panel.locator('[data-testid="preview-first"]').waitFor();
      await page.locator('.tab', { hasText: 'next-submission.json' }).first().waitFor({ timeout: 15_000 });
      const previewed = await editorText(page);
      const parsed = JSON.parse(previewed) as { submission_id: string; items: Array<{ client_id: string; text: string }> };
      assert.equal(parsed.items.length, 1);
      assert.ok(!previewed.includes(EMAIL) && !previewed.includes('annsmith'), `the payload carries neither the e-mail nor the home path:\n${previewed}`);
      assert.match(parsed.items[0].text, /<email>.*<home>\/work\/invoices\/fixtures/);
      await screenshot(page, 'team-4-preview');

      // 5. Send from the preview: the server receives exactly the previewed bytes.
      const before = proxy.requests.length;
      await panel.locator('[data-testid="preview-send"]').click();
      await page.locator('.notification-toast', { hasText: /sent 1 item to the team/ }).first().waitFor({ timeout: 60_000 });
      const posts = proxy.requests.slice(before).filter((r) => r.line === 'POST /v1/submissions');
      assert.equal(posts.length, 1, 'one submission went out');
      assert.equal(posts[0].body.toString('utf8'), previewed, 'the server received byte for byte the previewed JSON');
      const teamItems = (await call(srv.url, 'GET', '/v1/knowledge', srv.admin)).body.items as Array<{ id: string; text: string; status: string }>;
      const onServer = teamItems.find((i) => i.text === parsed.items[0].text);
      assert.ok(onServer, `the team server lists the anonymized item: ${JSON.stringify(teamItems)}`);
      const after = await waitForFile(kfile, (t) => new RegExp(`team: ${onServer.id} waiting`).test(t), 'the team id and status in the item metadata');
      assert.ok(after.includes(LESSON), 'the local item keeps its original text');
      await knowledgeRow(page, 'Invoice rounding questions').filter({ hasText: 'team: waiting' }).waitFor({ timeout: 15_000 });
      await page.locator('.part.statusbar .statusbar-item', { hasText: /Team: 0 queued · send manually/ }).first().waitFor({ timeout: 30_000 });
      // The panel says what was sent; the JSON tab, with nothing left to send, is closed.
      const sentNote = await (await findFrameWith(page, '[data-testid="preview-sent"]', 15_000)).locator('[data-testid="preview-sent"]').innerText();
      assert.match(sentNote, new RegExp(`Sent submission ${parsed.submission_id} .*: 1 accepted`));
      await page.locator('.tab', { hasText: 'next-submission.json' }).first().waitFor({ state: 'hidden', timeout: 15_000 });
      // The audit log holds the exact body and the answer.
      const audits = findFiles(cs.userDataDir, 'audit.jsonl');
      assert.equal(audits.length, 1, 'one audit log');
      const logged = readFileSync(audits[0], 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { body: string; response: { accepted: unknown[] } });
      assert.equal(logged.length, 1);
      assert.equal(logged[0].body, previewed);
      await screenshot(page, 'team-5-sent');
      await runCommand(page, 'OEL Agent: Show Team Audit Log');
      await page.locator('.tab', { hasText: 'team-audit-log.md' }).first().waitFor({ timeout: 15_000 });
      assert.match(await editorText(page, 'team-audit-log.md'), /# Team audit log/);
      await screenshot(page, 'team-6-audit-log');
      assert.deepEqual((await notifications(page)).filter((n) => /failed|error/i.test(n)), [], 'no error notifications');

      // The server at the pinned address now presents another signing key (a new server on the same port): Send Now
      // refuses, sends nothing, and offers Re-join.
      const port = Number(new URL(srv.url).port);
      await srv.close();
      srv = await startTeamServer({ port });
      await runCommand(page, 'OEL Agent: Open Workspace Knowledge File');
      await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Share with Team' }).first().click();
      await waitForFile(kfile, (t) => /K-drop0001[\s\S]*?share: yes/.test(t), 'the consent given again');
      const beforeSwap = proxy.requests.length;
      await runCommand(page, 'OEL Agent: Send to Team Now');
      const refused = page.locator('.notification-toast', { hasText: 'now presents signing key' }).first();
      await refused.waitFor({ timeout: 60_000 });
      assert.match(await refused.innerText(), new RegExp(`not the key ${keyId} pinned when you joined`));
      assert.deepEqual(proxy.requests.slice(beforeSwap).map((r) => r.line), ['GET /v1/public-key'], 'only the key was asked for; nothing was submitted');
      await screenshot(page, 'team-6b-key-changed');
      await refused.locator('.monaco-button', { hasText: 'Re-join' }).click();
      await page.locator('.quick-input-widget', { hasText: 'Join Team Consolidation' }).waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Escape');

      // Leave: asked whether to remove adapters; afterwards no team status and no team commands in the palette.
      await runCommand(page, 'OEL Agent: Leave Team');
      const leave = page.locator('.monaco-dialog-box');
      await leave.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await leave.innerText(), /Your token and the pinned signing key are forgotten/);
      await screenshot(page, 'team-7-leave');
      await leave.locator('.monaco-button', { hasText: 'Leave, Keep Adapters' }).click();
      await page.locator('.notification-toast', { hasText: 'left the team at' }).first().waitFor({ timeout: 15_000 });
      await page.locator('.part.statusbar .statusbar-item', { hasText: 'Team:' }).first().waitFor({ state: 'hidden', timeout: 15_000 });
      const rows = await openPalette(page, 'Preview Next Submission');
      assert.ok(!rows.some((r) => r.includes('Preview Next Submission')), `no team commands after leaving: ${JSON.stringify(rows)}`);
      await closePalette(page);
    });
  });
});
