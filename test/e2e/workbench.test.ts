/**
 * The packaged extension in a real VS Code (code-server, VS Code 1.139) driven by chromium: it installs from the VSIX,
 * activates in the real extension host, and the user finds its activity-bar container, views and commands (listed
 * below, not read from the manifest under test). In Restricted Mode it runs but refuses edits and commands, even with
 * approvals set to automatic (checked with the scripted model asking for both). Needs `dist/oel-agent.vsix`
 * (`npm run package`) and code-server (`node scripts/ensure-code-server.mjs`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { codeServerInstall, installVsix, requireVsix, trustedSettings, untrustedSettings, type RunningCodeServer } from '../support/codeServer';
import { activityBarItems, closePalette, findFrameWith, openPalette, runCommand, runningExtensionRow, screenshot, type TestBrowser } from '../support/browser';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { startScriptedModel, type ScriptedModel } from '../support/scriptedModel';
import { withWorkbench } from '../support/workbench';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const LABEL = 'OEL Agent';

/** What the command palette offers a user in a fresh window, by id and the label shown there. */
const PALETTE: Record<string, string> = {
  'oel.newTask': 'OEL Agent: New Task',
  'oel.setApiKey': 'OEL Agent: Set API Key',
  'oel.clearApiKey': 'OEL Agent: Clear API Key',
  'oel.testConnection': 'OEL Agent: Test Connection',
  'oel.openSettings': 'OEL Agent: Open Settings',
  'oel.showLog': 'OEL Agent: Show Log',
  'oel.showActions': 'OEL Agent: Show Actions',
  'oel.refreshHistory': 'OEL Agent: Refresh History',
  'oel.deleteAllTasks': 'OEL Agent: Delete All Tasks',
  'oel.knowledge.openWorkspaceFile': 'OEL Agent: Open Workspace Knowledge File',
  'oel.knowledge.openUserFile': 'OEL Agent: Open User Knowledge File',
  'oel.knowledge.learnFromTask': 'OEL Agent: Learn from Task',
  'oel.knowledge.refresh': 'OEL Agent: Refresh Knowledge',
  'oel.learning.show': 'OEL Agent: Show Learning',
  'oel.learning.refresh': 'OEL Agent: Refresh Learning',
};
/**
 * Commands the palette must not offer here: they act on a History item, a running task, a pending edit, or a knowledge
 * item (reached from the Knowledge view and the file's CodeLens, where the item is at hand).
 */
const NOT_IN_PALETTE: Record<string, string> = {
  'oel.knowledge.accept': 'OEL Agent: Accept Knowledge Item',
  'oel.knowledge.edit': 'OEL Agent: Edit Knowledge Item',
  'oel.knowledge.pin': 'OEL Agent: Pin Knowledge Item',
  'oel.knowledge.unpin': 'OEL Agent: Unpin Knowledge Item',
  'oel.knowledge.moveScope': 'OEL Agent: Move Knowledge Item to the Other Scope',
  'oel.knowledge.prune': 'OEL Agent: Prune Knowledge Item',
  'oel.knowledge.restore': 'OEL Agent: Restore Pruned Knowledge Item',
  'oel.knowledge.showSource': 'OEL Agent: Show Source of Knowledge Item',
  'oel.openTask': 'OEL Agent: Open Task',
  'oel.deleteTask': 'OEL Agent: Delete Task',
  'oel.resumeTask': 'OEL Agent: Resume in Agent View',
  'oel.stop': 'OEL Agent: Stop',
  'oel.acceptEdit': 'OEL Agent: Accept Proposed Edit',
  'oel.rejectEdit': 'OEL Agent: Reject Proposed Edit',
};
/** The activity-bar container and the views it shows, in order. */
const CONTAINER = { id: 'oel', title: 'OEL Agent' };
const VIEWS = [
  { id: 'oel.agentView', name: 'Agent' }, { id: 'oel.knowledgeView', name: 'Knowledge' }, { id: 'oel.historyView', name: 'History' },
  { id: 'oel.learningView', name: 'Learning' }, { id: 'oel.teamView', name: 'Team' },
];

interface Manifest {
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    viewsContainers?: { activitybar?: { id: string; title: string }[] };
    views?: Record<string, { id: string; name: string }[]>;
  };
}

let tmp: string;
let extensionsDir: string;
let manifest: Manifest;
let model: ScriptedModel;

before(async () => {
  requireVsix();
  codeServerInstall();
  tmp = mkdtempSync(join(tmpdir(), 'oel-e2e-workbench-'));
  extensionsDir = join(tmp, 'extensions');
  installVsix(requireVsix(), extensionsDir);
  const installed = readdirSync(extensionsDir).find((d) => d.startsWith('oel.oel-agent-'));
  assert.ok(installed, `the VSIX did not install into ${extensionsDir}: ${readdirSync(extensionsDir).join(', ')}`);
  manifest = JSON.parse(readFileSync(join(extensionsDir, installed, 'package.json'), 'utf8')) as Manifest;
  model = await startScriptedModel();
});

after(async () => {
  await model?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function freshWorkspace(name: string): string {
  const dir = join(tmp, name);
  cpSync(SAMPLE, dir, { recursive: true });
  return dir;
}

/** Starts code-server + chromium on a copy of the sample workspace, runs `body`, and always stops both. */
/** A scenario on a fresh copy of the sample workspace (see test/support/workbench.ts for the lifecycle). */
function onWorkbench(name: string, settings: Record<string, unknown>, body: (b: TestBrowser, cs: RunningCodeServer) => Promise<void>): Promise<void> {
  return withWorkbench(name, { folder: freshWorkspace(name), settings, extensionsDir }, ({ browser, cs }) => body(browser, cs));
}

describe('packaged extension in code-server', { timeout: 240_000 }, () => {
  test('installs, activates and shows its contributions in a trusted workspace', async () => {
    await onWorkbench('trusted', trustedSettings(), async ({ page }) => {
      // The sample workspace is open: its files are in the explorer.
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'package.json' }).first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'workbench-trusted');

      // The extension host has activated it (activationEvents: onStartupFinished): Running Extensions lists it.
      await runCommand(page, 'Developer: Show Running Extensions');
      const runningText = await runningExtensionRow(page, LABEL);
      await screenshot(page, 'running-extensions');
      await page.keyboard.press('Escape');
      assert.doesNotMatch(runningText, /not activated|activation failed|error/i, `extension row: ${runningText}`);

      // The installed manifest declares what the user is about to look for (a clear failure before the UI checks).
      const declared = new Map((manifest.contributes?.commands ?? []).map((c) => [c.command, `${c.category}: ${c.title}`]));
      for (const [id, shown] of Object.entries({ ...PALETTE, ...NOT_IN_PALETTE })) assert.equal(declared.get(id), shown, `command ${id}`);
      assert.deepEqual(manifest.contributes?.viewsContainers?.activitybar?.map((c) => [c.id, c.title]), [[CONTAINER.id, CONTAINER.title]]);
      assert.deepEqual(manifest.contributes?.views?.[CONTAINER.id]?.map((v) => [v.id, v.name]), VIEWS.map((v) => [v.id, v.name]));

      // The palette offers each command under its label...
      const rows = await openPalette(page, `${LABEL}:`);
      await screenshot(page, 'palette-commands');
      await closePalette(page);
      for (const shown of Object.values(PALETTE)) {
        if (rows.some((r) => isRow(r, shown))) continue;
        // The palette's list is virtualised: filter on the full label when it was not among the first rows.
        const exact = await openPalette(page, shown);
        await closePalette(page);
        assert.ok(exact.some((r) => isRow(r, shown)), `"${shown}" is not in the command palette (rows: ${JSON.stringify(exact)})`);
      }
      // ... and not the ones that need a History item, a running task or a pending edit.
      for (const shown of Object.values(NOT_IN_PALETTE)) {
        const found = await openPalette(page, shown);
        await closePalette(page);
        assert.ok(!found.some((r) => isRow(r, shown)), `"${shown}" is offered in the palette with nothing to act on`);
      }

      // The activity-bar container is there, and opening it shows its views.
      const items = await activityBarItems(page);
      assert.ok(items.some((l) => l.startsWith(CONTAINER.title)), `activity bar has no "${CONTAINER.title}" entry: ${JSON.stringify(items)}`);
      await page.locator(`.part.activitybar .action-label[aria-label^="${CONTAINER.title}"]`).first().click();
      for (const v of VIEWS) {
        await page.locator('.part.sidebar .pane-header', { hasText: new RegExp(`\\b${escapeRegExp(v.name)}\\b`, 'i') }).first()
          .waitFor({ state: 'visible', timeout: 30_000 });
      }
      // The agent's webview view renders its task input inside the webview's inner iframe.
      const frame = await findFrameWith(page, '[data-testid="agent-view"][data-ready="true"]', 60_000);
      await frame.locator('[data-testid="task-input"]').waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForTimeout(1000); // let the webview paint before the screenshot
      await screenshot(page, `container-${CONTAINER.id}`);
    });
  });

  test('in Restricted Mode the extension runs, but edits and commands are refused even with automatic approval', async () => {
    const buggy = 'for (let i = 1; i < lines.length; i++) {';
    const marker = 'command-ran.txt';
    model.reset();
    model.enqueue(
      { toolCalls: [
        { name: 'propose_edit', arguments: { path: 'src/totals.js', search: buggy, replace: 'for (let i = 0; i < lines.length; i++) {' } },
        { name: 'run_command', arguments: { command: `node -e "require('fs').writeFileSync('${marker}', 'ran')"` } },
      ] },
      { text: 'Neither the edit nor the command is possible in Restricted Mode.' },
    );
    // Approvals on "auto": only Restricted Mode stands between the model and the file system here.
    const settings = untrustedSettings({
      'oel.provider.baseUrl': model.url, 'oel.provider.model': 'scripted-model',
      'oel.approval.read': 'auto', 'oel.approval.edit': 'auto', 'oel.approval.command': 'auto',
    });
    await onWorkbench('untrusted', settings, async ({ page }, cs) => {
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot(page, 'workbench-restricted');
      const before = readFileSync(join(cs.folder, 'src/totals.js'), 'utf8');
      assert.ok(before.includes(buggy));

      // "limited" support: the extension still runs, and its view says what Restricted Mode allows.
      const view = await openAgentView(page);
      assert.match(await view.locator('body').innerText(), /Restricted Mode/i);
      await sendTask(view, 'fix subtotal and run the tests');
      const end = await waitEnd(view);
      // Give the Agent view the side bar (collapse Knowledge and History) so the screenshot shows the whole run.
      for (const name of ['Knowledge', 'History']) await page.locator('.part.sidebar .pane-header', { hasText: new RegExp(`\\b${name}\\b`) }).first().click();
      await page.waitForTimeout(500);
      await screenshot(page, 'restricted-tools-refused');

      const cards = view.locator('[data-testid="tool-card"]');
      assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => [e.getAttribute('data-tool'), e.getAttribute('data-status')])), [
        ['propose_edit', 'refused'], ['run_command', 'refused'],
      ]);
      for (const text of await cards.allInnerTexts()) assert.match(text, /refused/i);
      assert.match(end, /2 actions were rejected or not allowed/);
      assert.equal(await view.locator('[data-testid="approve"]').count(), 0, 'no approval is offered');
      // The model was told why.
      assert.equal(model.pending(), 0);
      const answer = model.requests.find((r) => r.messages.some((m) => m.role === 'tool'));
      const told = (answer?.messages ?? []).filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content));
      assert.equal(told.length, 2);
      for (const t of told) assert.match(t, /Restricted Mode/);

      // Nothing happened on disk: the file is as it was and the command never ran.
      assert.equal(readFileSync(join(cs.folder, 'src/totals.js'), 'utf8'), before);
      assert.ok(!existsSync(join(cs.folder, marker)), 'the command ran in Restricted Mode');
    });
  });
});

/** A palette row shows `label` (rows may carry more after it: a keybinding, "recently used"). */
function isRow(row: string, label: string): boolean {
  return row === label || row.startsWith(`${label} `);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

