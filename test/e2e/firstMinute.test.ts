/**
 * The first minute of a new user, in code-server.
 *
 * The "Get started with OEL Agent" walkthrough opens by itself on the first activation after install
 * (`oel.walkthrough.openOnInstall` and VS Code's `workbench.welcomePage.walkthroughs.openOnInstall` at their defaults,
 * as for a new user; the other e2e files turn it off), once, and each step ticks when
 * the user has really done it: a model configured, Test Connection passing, a task run through the model.
 *
 * A task that cannot start, or cannot reach the model, says so once, with the fix that fits, and keeps what the user
 * typed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { trustedSettings } from '../support/codeServer';
import { notifications, runCommand, screenshot } from '../support/browser';
import { openAgentView, sendTask, waitEnd } from '../support/agentView';
import { withWorkbench } from '../support/workbench';
import { agentSuite } from '../support/e2eSuite';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const suite = agentSuite('first-minute');

function workspace(name: string): string {
  const folder = join(suite.tmp, name);
  cpSync(SAMPLE, folder, { recursive: true });
  return folder;
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

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

describe('first minute in code-server', { timeout: 600_000, concurrency: 1 }, () => {
  test('Send with no model says it once, in the view, and keeps the request', async () => {
    await withWorkbench('no-model', { folder: workspace('no-model'), settings: trustedSettings(), extensionsDir: suite.extensionsDir }, async ({ browser: { page } }) => {
      const view = await openAgentView(page);
      const request = 'Why does subtotal() skip the first line?';
      await sendTask(view, request);
      const notice = view.locator('[data-testid="no-model-notice"]');
      await notice.and(view.locator('.attention')).waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(1500); // a toast or an error card would have appeared by now
      await screenshot(page, 'first-minute-no-model');
      assert.match(await notice.innerText(), /No model is configured.*oel\.provider\.model.*Open Settings/s);
      assert.equal(await view.locator('[data-testid="task-input"]').inputValue(), request, 'the typed request must stay in the box');
      assert.equal(await view.locator('[data-testid="error-message"]').count(), 0, 'no error card besides the notice');
      assert.deepEqual((await notifications(page)).filter((n) => /OEL Agent/.test(n)), [], 'no toast besides the notice');
      assert.equal(await view.locator('[data-testid="message-user"]').count(), 0, 'no task started');
    });
  });

  test('an unreachable provider names the URL and the cause, offers the fitting fixes, and Try Again resends', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const settings = trustedSettings({ 'oel.provider.baseUrl': url, 'oel.provider.model': 'scripted-model' });
    await withWorkbench('unreachable', { folder: workspace('unreachable'), settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page } }) => {
      const view = await openAgentView(page);
      await sendTask(view, 'List the files.');
      const end = await waitEnd(view, 120_000);
      await screenshot(page, 'first-minute-unreachable');
      assert.match(end, new RegExp(`Nothing is listening at ${url.replace(/[.]/g, '\\.')} \\(connection refused\\)`));
      assert.doesNotMatch(end, /mid-stream|mid-answer/);
      const links = await view.locator('[data-testid="end-banner"] [data-testid="fix-links"] a').allInnerTexts();
      assert.deepEqual(links, ['Open Settings', 'Try Again'], 'a refused connection is not fixed by an API key');
      assert.equal(await view.locator('.feedback').count(), 0, '"Was this helpful?" has nothing to rate after a failure');
      await view.locator('[data-testid="end-banner"] [data-testid="fix-links"] a', { hasText: 'Try Again' }).click();
      await view.locator('[data-testid="end-banner"]').nth(1).waitFor({ state: 'visible', timeout: 120_000 });
      assert.equal(await view.locator('[data-testid="message-user"]', { hasText: 'List the files.' }).count(), 2, 'Try Again sends the request again');
    });
  });

  test('the walkthrough opens on first install and its steps tick as the user does them', async () => {
    const folder = workspace('walkthrough');
    const settings = trustedSettings({
      'workbench.welcomePage.walkthroughs.openOnInstall': true,
      'oel.walkthrough.openOnInstall': true,
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

      // VS Code moves the focus to the next step right after one completes, which would close a palette opened at that
      // moment: select the next step first, as a reader would, and let the page settle.
      await page.locator('.getting-started-step', { hasText: 'Connect to the model' }).first().click();
      await page.waitForTimeout(1500);
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
