/**
 * README's first command, as a newcomer runs it: `bash scripts/start-product.sh` starts the consolidation server and
 * VS Code (code-server) with the extension and a sample workspace, on embedded defaults (the embedded llama.cpp
 * runtime on a tiny GGUF, no provider to configure). In chromium: the workspace opens without VS Code's question
 * about a git repository in the parent folders, the first task runs on the local model and ends, learning runs on
 * that same model (not on a server that is not there), the dashboard answers and takes the admin token the script
 * printed; SIGTERM stops everything the script started.
 *
 * The demo folder is the script's own layout inside this checkout (`OEL_DEMO_DIR`, removed afterwards), so a
 * developer's `.oel-demo/` is left alone; the VSIX packaged for the e2e run is reused (`OEL_VSIX`).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchBrowser, notifications, openWorkbench, screenshot } from '../support/browser';
import { openAgentView, sendTask } from '../support/agentView';
import { codeServerInstall, freePort, requireVsix } from '../support/codeServer';
import { extensionLogs } from '../support/workbench';

const DEMO = resolve(`.oel-demo-e2e-${process.pid}`);
/** The OEL Agent output channel's log of the demo's VS Code. */
const agentLog = (): string => extensionLogs(join(DEMO, 'user-data')).map((l) => l.text).join('\n');

/** Resolves with the script's output once it says it is running; rejects if it exits first. */
function untilRunning(child: ChildProcess, out: { text: string }, timeoutMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`start-product.sh did not say it was running within ${timeoutMs / 1000} s:\n${out.text.slice(-3000)}`)), timeoutMs);
    const check = () => { if (out.text.includes('OEL Agent is running.')) { clearTimeout(timer); ok(); } };
    child.stdout!.on('data', (d: Buffer) => { out.text += d.toString(); check(); });
    child.stderr!.on('data', (d: Buffer) => { out.text += d.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`start-product.sh exited (${code}) before it was running:\n${out.text.slice(-3000)}`)); });
  });
}

/** Whether something accepts connections on the port. */
async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line names the demo folder (code-server, its extension host, the model worker, the server). */
function demoProcesses(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(DEMO) && !cmd.includes('startProduct.test')) out.push(`${pid}: ${cmd.slice(0, 160)}`);
    } catch { /* the process ended while we looked */ }
  }
  return out;
}

describe('README\'s first command: start-product.sh', { timeout: 900_000 }, () => {
  let child: ChildProcess | undefined;
  after(() => {
    if (child && child.exitCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }
    rmSync(DEMO, { recursive: true, force: true });
  });

  test('starts VS Code and the server on embedded defaults; a first task runs and learns on the local model; SIGTERM stops it all', async () => {
    codeServerInstall();
    const [port, serverPort] = [await freePort(), await freePort()];
    const out = { text: '' };
    child = spawn('bash', ['scripts/start-product.sh'], {
      env: { ...process.env, PORT: String(port), OEL_SERVER_PORT: String(serverPort), OEL_DEMO_DIR: DEMO, OEL_VSIX: requireVsix(), OEL_SKIP_SYSTEM_DEPS: '1', OEL_PROVIDER_BASE_URL: '', OEL_PROVIDER_MODEL: '' },
      stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    await untilRunning(child, out, 420_000);
    const url = out.text.match(/VS Code:\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/)?.[1];
    assert.ok(url, `the script prints the VS Code URL:\n${out.text.slice(-1500)}`);
    assert.match(out.text, /dashboard admin token: (oel_\S+)\s+\(also in/, 'the admin token is printed, with what it is for');
    assert.match(out.text, /Local \(llama\.cpp\) on .*model\.gguf, a tiny RANDOM model/, 'the model in use is named, and said to be noise');
    const token = out.text.match(/dashboard admin token: (oel_\S+)/)![1];

    // The dashboard answers, and the printed token is an admin's.
    assert.equal((await fetch(`http://127.0.0.1:${serverPort}/`)).status, 200);
    const status = await fetch(`http://127.0.0.1:${serverPort}/v1/status`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(status.status, 200, 'the printed token is an admin token');

    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await openWorkbench(page, url, 180_000);
      const view = await openAgentView(page, 120_000);
      // The embedded default is in use: the view names the GGUF and says it is a tiny random model.
      await view.getByText(/tiny random model/).first().waitFor({ timeout: 60_000 });
      assert.equal(await view.locator('[data-testid="end-banner"]').count(), 0, 'a fresh demo has no task on screen');
      await sendTask(view, 'List the files in src and say what the project does.');
      const banner = view.locator('[data-testid="end-banner"]').first();
      await banner.waitFor({ state: 'visible', timeout: 240_000 });
      const end = (await banner.innerText()).trim();
      assert.match(end, /^Completed/, `the first task ends normally on the local model: ${end}`);
      // The tiny model rambles to the output limit (2,048 tokens for an 8,192-token context): the banner says the
      // answer was cut off, and how to get the rest, instead of a plain "Completed".
      const out2 = end.match(/([\d,]+) out/)?.[1];
      if (out2 === '2,048') assert.match(end, /cut off at the model's output limit \(2,048 tokens\)\. Send "continue"/, end);
      await screenshot(page, 'start-product-first-task');

      // Learning ran on the same local model (the demo has no OpenAI-compatible server).
      const deadline = Date.now() + 240_000;
      while (!/learned from 1 task\(s\)/.test(agentLog()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2000));
      const log = agentLog();
      assert.match(log, /extraction\(s\) ran on the local model model\.gguf/, `learning used the local model:\n${log.slice(-2000)}`);
      assert.doesNotMatch(log, /Connection error|extraction for \S+ failed/, 'no extraction went to a server that is not there');

      // One agent in sight, and no question about the parent folder's git repository.
      const toasts = (await notifications(page)).join('\n');
      assert.doesNotMatch(toasts, /git repository.*parent folders/i, toasts);
      assert.equal(await page.locator('.part.auxiliarybar:visible').count(), 0, 'the built-in Chat side bar stays hidden');
    } finally {
      await browser.close();
    }

    // SIGTERM (what Ctrl+C's cleanup does) stops code-server, the extension host's model process and the server.
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child!.on('exit', (c) => r(c)));
    assert.notEqual(code, null);
    for (let i = 0; i < 20 && (demoProcesses().length || await listening(port) || await listening(serverPort)); i++) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(demoProcesses(), [], 'nothing the demo started is left running');
    assert.equal(await listening(port), false, 'VS Code is stopped');
    assert.equal(await listening(serverPort), false, 'the consolidation server is stopped');
  });
});
