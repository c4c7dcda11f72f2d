/**
 * The lifecycle every e2e scenario shares: code-server on a workspace folder with the given user settings, chromium on
 * its workbench, a screenshot and code-server's output when the scenario fails, and both stopped in every case.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, openWorkbench, screenshot, type TestBrowser } from './browser';
import { startCodeServer, type RunningCodeServer } from './codeServer';

/** What a scenario gets: the browser (with its page) on the open workbench, and the running code-server. */
export interface Workbench { browser: TestBrowser; cs: RunningCodeServer }

/** Runs `body` against a fresh code-server + chromium on `folder`; `name` prefixes the failure screenshot. */
export async function withWorkbench(
  name: string,
  opts: { folder: string; settings: Record<string, unknown>; extensionsDir: string; env?: Record<string, string> },
  body: (w: Workbench) => Promise<void>,
): Promise<void> {
  let cs: RunningCodeServer | undefined;
  let browser: TestBrowser | undefined;
  try {
    cs = await startCodeServer(opts);
    browser = await launchBrowser();
    await openWorkbench(browser.page, cs.folderUrl);
    await body({ browser, cs });
  } catch (err) {
    if (browser) await screenshot(browser.page, `${name}-failure`).catch(() => undefined);
    if (cs) process.stderr.write(`--- code-server output (${name}) ---\n${cs.output().slice(-4000)}\n`);
    if (cs) for (const log of extensionLogs(cs.userDataDir)) process.stderr.write(`--- ${log.path} ---\n${log.text.slice(-6000)}\n`);
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    await cs?.stop();
  }
}

/** The extension's own log files (its LogOutputChannel, "OEL Agent") under a code-server user-data dir. */
export function extensionLogs(userDataDir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) visit(p);
      else if (/OEL Agent\.log$/.test(n)) out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  visit(join(userDataDir, 'logs'));
  return out;
}
