/**
 * The first minute: the "Get started with OEL Agent" walkthrough opens by itself on the first activation after install
 * (VS Code's `workbench.welcomePage.walkthroughs.openOnInstall` on, as for a new user), once, and each step ticks when
 * the user has really done it: a model configured, Test Connection passing, a task run through the model.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { trustedSettings } from '../support/codeServer';
import { runCommand, screenshot } from '../support/browser';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const suite = agentSuite('walkthrough');

/** Titles of the walkthrough's steps that VS Code shows as done. */
async function doneSteps(page: Page): Promise<string[]> {
  return page.locator('.getting-started-step').evaluateAll((steps) => steps
    .filter((s) => s.querySelector('.codicon-getting-started-step-checked'))
    .map((s) => s.querySelector('.step-title')?.textContent?.trim() ?? ''));
}

async function waitDone(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await doneSteps(page)).includes(title)) {
    assert.ok(Date.now() < deadline, `step "${title}" never ticked (done: ${JSON.stringify(await doneSteps(page))})`);
    await page.waitForTimeout(250);
  }
}

describe('first minute in code-server', { timeout: 300_000 }, () => {
  test('the walkthrough opens on first install and its steps tick as the user does them', async () => {
    const folder = join(suite.tmp, 'walkthrough');
    cpSync(SAMPLE, folder, { recursive: true });
    const settings = trustedSettings({
      'workbench.welcomePage.walkthroughs.openOnInstall': true,
      'oel.provider.baseUrl': suite.model.url,
      'oel.provider.model': 'scripted-model',
    });
    await withWorkbench('walkthrough', { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page } }) => {
      const walkthrough = page.locator('.gettingStartedContainer', { hasText: 'Get started with OEL Agent' }).first();
      await walkthrough.waitFor({ state: 'visible', timeout: 60_000 });
      const titles = await page.locator('.getting-started-step .step-title').allInnerTexts();
      assert.deepEqual(titles, ['Pick a provider', 'Connect to the model', 'Try a task', 'Review what it learned']);
      // A model is configured in the user's settings, so the first step is already done; nothing else is.
      await waitDone(page, 'Pick a provider');
      assert.deepEqual(await doneSteps(page), ['Pick a provider']);
      await screenshot(page, 'walkthrough-01-opened');

      suite.model.enqueue({ toolCalls: [{ name: 'ping', arguments: {} }] });
      await runCommand(page, 'OEL Agent: Test Connection');
      await waitDone(page, 'Connect to the model');

      suite.model.enqueue({ text: 'The project has one module, src/totals.js.' });
      const view = await openAgentView(page);
      await sendTask(view, 'What is in this project?');
      assert.match(await waitEnd(view), /Completed/);
      await page.locator('.tabs-container .tab', { hasText: 'Welcome' }).first().click();
      // The Welcome tab may show its overview again: open our walkthrough from its list, as a user would.
      const card = page.locator('.getting-started-category', { hasText: 'Get started with OEL Agent' }).first();
      if (await card.isVisible()) await card.click();
      await waitDone(page, 'Try a task');
      await page.waitForTimeout(1000); // let the walkthrough's slide-in finish before the screenshot
      await screenshot(page, 'walkthrough-02-steps-done');
      assert.deepEqual(await doneSteps(page), ['Pick a provider', 'Connect to the model', 'Try a task']);
    });
  });
});
