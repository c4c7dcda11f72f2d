/**
 * Runs the packaged extension in a real VS Code: code-server (installed by `scripts/ensure-code-server.mjs` into
 * `.vscode-test/`) with its own extensions folder and user-data folder per test, served on a free loopback port.
 * Processes are started in their own process group and stopped by the test that started them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repo's `.vscode-test/` (override with OEL_VSCODE_TEST_DIR). */
export const VSCODE_TEST_DIR = resolve(process.env.OEL_VSCODE_TEST_DIR ?? '.vscode-test');

/** The packaged extension `npm run package` writes. */
export const VSIX_PATH = resolve(process.env.OEL_VSIX ?? 'dist/oel-agent.vsix');

/** Node 24 and code-server's entry point, as recorded by the installer. */
export interface CodeServerInstall { node: string; entry: string; codeServer: string; vscode?: string }

/** Reads the installer's marker; throws a message that says how to install when it is missing. */
export function codeServerInstall(): CodeServerInstall {
  const marker = join(VSCODE_TEST_DIR, 'code-server.json');
  if (!existsSync(marker)) {
    throw new Error(`code-server is not installed (no ${marker}); run: node scripts/ensure-code-server.mjs`);
  }
  const info = JSON.parse(readFileSync(marker, 'utf8')) as CodeServerInstall;
  if (!existsSync(info.node) || !existsSync(info.entry)) {
    throw new Error(`code-server install in ${VSCODE_TEST_DIR} is incomplete; run: node scripts/ensure-code-server.mjs --force`);
  }
  return info;
}

/** Fails with a clear message when the VSIX has not been built. */
export function requireVsix(path = VSIX_PATH): string {
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: the e2e tests run the packaged extension; build it first with \`npm run package\``);
  }
  return path;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Environment that keeps code-server's own config/data files out of the user's home. */
function isolatedEnv(base: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  mkdirSync(join(base, 'xdg-config'), { recursive: true });
  mkdirSync(join(base, 'xdg-data'), { recursive: true });
  // What the test runner and npm put into this process's environment must not reach the extension host and the
  // commands the agent runs there: NODE_TEST_CONTEXT makes a `node --test` run by the agent skip every file, and
  // npm_* variables (set by `npm test`) would change how an `npm` run by the agent behaves.
  const inherited: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_TEST_CONTEXT' || k === 'NODE_OPTIONS' || k === 'INIT_CWD' || /^npm_/i.test(k)) continue;
    inherited[k] = v;
  }
  return {
    ...inherited,
    XDG_CONFIG_HOME: join(base, 'xdg-config'),
    XDG_DATA_HOME: join(base, 'xdg-data'),
    // code-server reads these as defaults; a developer's own settings must not leak into tests.
    PASSWORD: '',
    HASHED_PASSWORD: '',
    ...extra,
  };
}

/** Installs a VSIX into `extensionsDir` with code-server's CLI. */
export function installVsix(vsix: string, extensionsDir: string): void {
  const cs = codeServerInstall();
  mkdirSync(extensionsDir, { recursive: true });
  const base = mkdtempSync(join(tmpdir(), 'oel-cs-install-'));
  try {
    const r = spawnSync(cs.node, [cs.entry, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', join(base, 'ud'), '--force'], {
      encoding: 'utf8',
      env: isolatedEnv(base),
      timeout: 120_000,
    });
    if (r.status !== 0) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Options of {@link startCodeServer}. */
export interface StartOptions {
  /** Workspace folder to open. */
  folder: string;
  /** Contents of `User/settings.json`. Trusted runs should pass `security.workspace.trust.enabled: false`. */
  settings?: Record<string, unknown>;
  /** Where extensions are installed (see {@link installVsix}); a fresh temp folder by default. */
  extensionsDir?: string;
  /** A fresh temp folder by default. */
  userDataDir?: string;
  port?: number;
  /** Extra environment for code-server and its extension host. */
  env?: Record<string, string>;
  /** How long to wait for the server to answer (ms). */
  timeoutMs?: number;
}

/** A running code-server. */
export interface RunningCodeServer {
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The workbench URL opening `folder`. */
  folderUrl: string;
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  pid: number;
  /** Everything code-server printed so far. */
  output(): string;
  /** Stops the process group (SIGTERM, then SIGKILL) and removes temp folders this harness created. */
  stop(): Promise<void>;
}

/** Trusted-workspace settings that keep the workbench quiet for tests. */
export function trustedSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...quietSettings(), 'security.workspace.trust.enabled': false, ...extra };
}

/** Settings for a Restricted Mode run: workspace trust on, so an unknown folder opens untrusted. */
export function untrustedSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...quietSettings(), 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', ...extra };
}

function quietSettings(): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'oel.walkthrough.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'chat.disableAIFeatures': true,
    'window.restoreWindows': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.editor.enablePreview': false,
  };
}

/** Starts code-server and waits until it serves its health endpoint and the workbench page. */
export async function startCodeServer(opts: StartOptions): Promise<RunningCodeServer> {
  const cs = codeServerInstall();
  const base = mkdtempSync(join(tmpdir(), 'oel-cs-'));
  const userDataDir = opts.userDataDir ?? join(base, 'user-data');
  const extensionsDir = opts.extensionsDir ?? join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(opts.settings ?? trustedSettings(), null, 2)}\n`);
  const port = opts.port ?? (await freePort());
  const folder = resolve(opts.folder);
  const args = [
    cs.entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    '--disable-telemetry',
    '--disable-update-check',
    folder,
  ];
  const child: ChildProcess = spawn(cs.node, args, {
    detached: true, // own process group: stop() kills code-server and everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: isolatedEnv(base, opts.env),
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  let exited: number | string | null | undefined;
  child.on('exit', (code, signal) => { exited = code ?? signal; });

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await killGroup(child);
    rmSync(base, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`code-server exited early (${exited}):\n${out}`);
      if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} in time:\n${out}`);
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          const page = await fetch(`${url}/?folder=${encodeURIComponent(folder)}`, { signal: AbortSignal.timeout(5000) });
          if (page.ok) break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    url,
    folderUrl: `${url}/?folder=${encodeURIComponent(folder)}`,
    folder,
    userDataDir,
    extensionsDir,
    pid: child.pid ?? -1,
    output: () => out,
    stop,
  };
}

/** SIGTERM to the process group, SIGKILL after a grace period. */
export async function killGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (!pid || child.exitCode !== null || child.signalCode !== null) {
    // The leader may be gone while its group lives on; try the group anyway.
    if (pid) try { process.kill(-pid, 'SIGKILL'); } catch { /* no such group */ }
    return;
  }
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  const res = await Promise.race([gone.then(() => 'exit' as const), timer]);
  // Kill stragglers of the group (extension host, terminals) either way.
  try { process.kill(-pid, 'SIGKILL'); } catch { /* group already empty */ }
  if (res === 'timeout') await Promise.race([gone, new Promise((r) => setTimeout(r, 2000).unref())]);
}
