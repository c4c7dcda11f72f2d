/**
 * The packaged extension in a real VS Code (code-server, VS Code 1.139) driven by chromium: it installs from the VSIX,
 * activates in the real extension host, and what its manifest contributes (activity-bar container, views, commands)
 * is what the user sees. Needs `dist/oel-agent.vsix` (`npm run package`) and code-server
 * (`node scripts/ensure-code-server.mjs`); no model or agent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { codeServerInstall, installVsix, requireVsix, trustedSettings, untrustedSettings, type RunningCodeServer } from '../support/codeServer';
import { activityBarItems, closePalette, findFrameWith, openPalette, runCommand, runningExtensionRow, screenshot, type TestBrowser } from '../support/browser';
import { withWorkbench } from '../support/workbench';

const SAMPLE = resolve('test/fixtures/sample-workspace');

interface Manifest {
  name: string;
  publisher: string;
  displayName?: string;
  contributes?: {
    commands?: { command: string; title: string; category?: string; enablement?: string }[];
    menus?: { commandPalette?: { command: string; when?: string }[] };
    viewsContainers?: { activitybar?: { id: string; title: string }[] };
    views?: Record<string, { id: string; name: string; type?: string }[]>;
  };
}

let tmp: string;
let extensionsDir: string;
let manifest: Manifest;

before(() => {
  requireVsix();
  codeServerInstall();
  tmp = mkdtempSync(join(tmpdir(), 'oel-e2e-workbench-'));
  extensionsDir = join(tmp, 'extensions');
  installVsix(requireVsix(), extensionsDir);
  const installed = readdirSync(extensionsDir).find((d) => d.startsWith('oel.oel-agent-'));
  assert.ok(installed, `the VSIX did not install into ${extensionsDir}: ${readdirSync(extensionsDir).join(', ')}`);
  manifest = JSON.parse(readFileSync(join(extensionsDir, installed, 'package.json'), 'utf8')) as Manifest;
});

after(() => {
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
      const label = manifest.displayName ?? manifest.name;
      await runCommand(page, 'Developer: Show Running Extensions');
      const runningText = await runningExtensionRow(page, label);
      await screenshot(page, 'running-extensions');
      await page.keyboard.press('Escape');
      assert.doesNotMatch(runningText, /not activated|activation failed|error/i, `extension row: ${runningText}`);

      // Every contributed command is in the palette under its category.
      // Commands the manifest hides from the palette (a `when` there) or enables only in some state are skipped.
      const conditional = new Set((manifest.contributes?.menus?.commandPalette ?? []).filter((m) => m.when).map((m) => m.command));
      const commands = (manifest.contributes?.commands ?? []).filter((c) => !conditional.has(c.command) && !c.enablement);
      if (commands.length) {
        const category = commands[0].category ?? label;
        const rows = await openPalette(page, `${category}:`);
        await screenshot(page, 'palette-commands');
        await closePalette(page);
        for (const c of commands) {
          const shown = `${c.category ? `${c.category}: ` : ''}${c.title}`;
          if (rows.some((r) => r.includes(shown))) continue;
          // The palette's list is virtualised: filter on the full label when it was not among the first rows.
          const exact = await openPalette(page, shown);
          await closePalette(page);
          assert.ok(exact.some((r) => r.includes(shown)), `"${shown}" is not in the command palette (rows: ${JSON.stringify(exact)})`);
        }
      }

      // The activity-bar container is there, and opening it shows its views.
      for (const container of manifest.contributes?.viewsContainers?.activitybar ?? []) {
        const items = await activityBarItems(page);
        const item = items.find((l) => l.startsWith(container.title));
        assert.ok(item, `activity bar has no "${container.title}" entry: ${JSON.stringify(items)}`);
        await page.locator(`.part.activitybar .action-label[aria-label^="${container.title}"]`).first().click();
        const views = manifest.contributes?.views?.[container.id] ?? [];
        for (const v of views) {
          await page.locator('.part.sidebar .pane-header, .part.sidebar .composite.title', { hasText: new RegExp(escapeRegExp(v.name), 'i') }).first()
            .waitFor({ state: 'visible', timeout: 30_000 });
        }
        // The agent's webview view renders its task input inside the webview's inner iframe.
        if (views.some((v) => v.id === 'oel.agentView' && v.type === 'webview')) {
          const frame = await findFrameWith(page, '[data-testid="agent-view"][data-ready="true"]', 60_000);
          await frame.locator('[data-testid="task-input"]').waitFor({ state: 'visible', timeout: 30_000 });
        }
        await page.waitForTimeout(1000); // let the webview paint before the screenshot
        await screenshot(page, `container-${container.id}`);
      }
    });
  });

  test('opens in Restricted Mode when the workspace is not trusted', async () => {
    await onWorkbench('untrusted', untrustedSettings(), async ({ page }) => {
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot(page, 'workbench-restricted');
      // "limited" support: the extension still runs in Restricted Mode.
      const label = manifest.displayName ?? manifest.name;
      await runCommand(page, 'Developer: Show Running Extensions');
      await runningExtensionRow(page, label);
      await screenshot(page, 'running-extensions-restricted');
    });
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

