/** Driving the agent's webview view in the workbench: open it, send a task, wait for the end banner. */
import type { Frame, Page } from 'playwright-core';
import { findFrameWith } from './browser';

/** Opens the OEL Agent container and returns the agent view's frame once it has said it is ready. */
export async function openAgentView(page: Page, timeoutMs = 90_000): Promise<Frame> {
  await page.locator('.part.activitybar .action-label[aria-label^="OEL Agent"]').first().click();
  return findFrameWith(page, '[data-testid="agent-view"][data-ready="true"]', timeoutMs);
}

/** Types a task in the view and sends it. */
export async function sendTask(view: Frame, text: string): Promise<void> {
  await view.locator('[data-testid="task-input"]').fill(text);
  await view.locator('[data-testid="send"]').click();
}

/** Waits for the last end banner and returns its text. */
export async function waitEnd(view: Frame, timeoutMs = 90_000): Promise<string> {
  const banner = view.locator('[data-testid="end-banner"]').last();
  await banner.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await banner.innerText()).trim();
}
