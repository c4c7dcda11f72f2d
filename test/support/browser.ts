/**
 * Drives the code-server workbench with Debian's chromium through playwright-core: open a folder, wait for the
 * workbench, run palette commands, reach into webviews (VS Code nests each webview in two iframes) and take
 * screenshots into `test-results/screenshots/`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OEL_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve('test-results/screenshots');

/** A running chromium with one page. */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Closes chromium and removes its profile folder. */
  close(): Promise<void>;
}

/** Launches headless chromium with a fresh profile. */
export async function launchBrowser(opts: { width?: number; height?: number } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'oel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 },
    // Clipboard access lets the workbench paste; harmless otherwise.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Opens `url` (a code-server `/?folder=` URL) and waits until the workbench is interactive. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await waitForWorkbench(page, timeoutMs);
}

/** Waits for the workbench's parts (activity bar, status bar, explorer contents). */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar, .activitybar').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  // The explorer's tree appears once the folder has been resolved by the server.
  await page.locator('.explorer-folders-view .monaco-list-row, .explorer-viewlet .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs }).catch(() => undefined);
}

/** Opens the command palette (F1) and types `text` (a `>`-prefixed command filter). Returns the visible row labels. */
export async function openPalette(page: Page, text: string): Promise<string[]> {
  const input = page.locator('.quick-input-widget input.input, .quick-input-box input').first();
  for (let attempt = 0; attempt < 3; attempt++) {
    // F1 works wherever the focus is inside the workbench; only when it did not open is focus moved to a harmless
    // spot (the side bar's title) first. Clicking blindly can hit banners' links (Restricted Mode's "Learn More").
    if (attempt > 0) await page.locator('.part.sidebar .composite.title, .part.statusbar').first().click({ timeout: 3000 }).catch(() => undefined);
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
      break;
    } catch {
      if (attempt === 2) throw new Error('the command palette did not open');
    }
  }
  await input.fill(`>${text}`);
  // Let the list settle on the filter.
  await page.waitForTimeout(400);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Closes the palette (Escape). */
export async function closePalette(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
}

/** Runs a palette command by (part of) its label: F1, type, wait for a matching row, Enter. */
export async function runCommand(page: Page, label: string): Promise<void> {
  const rows = await openPalette(page, label);
  const want = label.toLowerCase();
  if (!rows.some((r) => r.toLowerCase().includes(want))) {
    await closePalette(page);
    throw new Error(`no command matching "${label}" in the palette (rows: ${JSON.stringify(rows.slice(0, 10))})`);
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
}

/**
 * Finds the frame that contains `selector`, searching every frame of the page (a VS Code webview's content lives in
 * an inner iframe inside the webview's outer iframe). Polls until the timeout.
 */
export async function findFrameWith(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        if ((await frame.locator(selector).count()) > 0) return frame;
      } catch {
        // frame detached or navigating
      }
    }
    if (Date.now() > deadline) throw new Error(`no webview frame contains ${selector} after ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

/** Saves a full-page screenshot to `test-results/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path });
  return path;
}

/** Texts of the notification toasts currently shown. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
}

/** Activity-bar entries (their aria-labels), e.g. "Explorer (Ctrl+Shift+E)", "OEL Agent". */
export async function activityBarItems(page: Page): Promise<string[]> {
  const items = page.locator('.part.activitybar .action-item a.action-label, .part.activitybar .action-item .action-label');
  const labels: string[] = [];
  for (const el of await items.all()) {
    const l = (await el.getAttribute('aria-label')) ?? (await el.getAttribute('title')) ?? '';
    if (l) labels.push(l);
  }
  return labels;
}

/**
 * Waits for an extension's row in the Running Extensions editor (`Developer: Show Running Extensions` must be open),
 * scrolling the virtualised list as needed, and returns the row's text.
 */
export async function runningExtensionRow(page: Page, label: string, timeoutMs = 60_000): Promise<string> {
  const list = page.locator('.runtime-extensions-editor .monaco-list').first();
  await list.waitFor({ state: 'visible', timeout: timeoutMs });
  const row = page.locator('.runtime-extensions-editor .extension', { hasText: label }).first();
  const deadline = Date.now() + timeoutMs;
  let down = true;
  for (let step = 0; ; step++) {
    if ((await row.count()) > 0) {
      await row.scrollIntoViewIfNeeded().catch(() => undefined);
      return row.innerText();
    }
    if (Date.now() > deadline) throw new Error(`"${label}" is not among the running extensions`);
    await list.hover().catch(() => undefined);
    await page.mouse.wheel(0, down ? 500 : -500);
    if (step % 8 === 7) down = !down;
    await page.waitForTimeout(250);
  }
}
