// One build script for every bundle: the extension (CJS, VS Code host), the `oel` CLI (CJS, Node), the webview
// scripts (browser IIFE) and the team dashboard that `oel server` serves (browser IIFE + CSS + index.html).
// esbuild does not type-check; `npm run typecheck` does that. `--only=dashboard` builds the dashboard alone (its
// browser test does that, so it always runs the current source).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? null;
if (only !== null && only !== 'dashboard') throw new Error(`build: --only=${only} is not a known bundle (known: dashboard)`);

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

// One bundle per webview; the modules they import (e.g. src/webview/learningCharts.ts) are not bundles of their own.
const webviewEntries = ['src/webview/agent.ts', 'src/webview/learning.ts'].filter((f) => existsSync(f));

// The extension's activation path must not parse the agent core (openai, lowdb, secretlint, zod: ~1 MB), so the core
// is its own bundle, required lazily through src/extension/core.ts's `require('./coreRuntime')` (docs/benchmarks.md).
const coreRuntimeAsExternal = {
  name: 'core-runtime-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/coreRuntime$/ }, () => ({ path: './extension-core.cjs', external: true }));
  },
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [coreRuntimeAsExternal],
  },
  {
    ...common,
    entryPoints: ['src/extension/coreRuntime.ts'],
    outfile: 'dist/extension-core.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // The local model process of the embedded llama.cpp provider. node-llama-cpp is native and ESM, so it stays
    // outside the bundle; `npm run package` stages it in dist/node_modules (scripts/stage-llama-runtime.mjs).
    ...common,
    entryPoints: ['src/core/provider/embedded/worker.ts'],
    outfile: 'dist/llama-worker.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['node-llama-cpp'],
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
];
// While the project grows, a bundle whose entry point does not exist yet is skipped (and said so) rather than failing.
for (const options of [...builds]) {
  const entry = options.entryPoints[0];
  if (!existsSync(entry)) {
    console.warn(`build: skipping ${options.outfile} (no ${entry})`);
    builds.splice(builds.indexOf(options), 1);
  }
}
if (webviewEntries.length) {
  builds.push({
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}

// zod's namespace re-exports every locale (~260 kB minified of the page's ~540 kB); the dashboard shows English only,
// so `locales` resolves to a module holding `en` alone. zod itself sets `en` as its default from its own import.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      (/[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'zod-locales', pluginData: args.resolveDir } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) =>
      ({ contents: "export { default as en } from '../locales/en.js';", resolveDir: args.pluginData, loader: 'js' }));
  },
};

// The dashboard: its script imports its stylesheet (and uPlot's), which esbuild writes beside it as dashboard.css;
// index.html is static (no inline script, so the server's CSP can forbid it) and is copied as it is.
const dashboard = {
  ...common,
  entryPoints: ['src/dashboard/main.ts'],
  outfile: 'dist/dashboard/dashboard.js',
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
};
const dashboardFiles = {
  name: 'dashboard-files',
  setup(b) {
    // Emptied first (not in watch mode), so a production build leaves no development source map for the server.
    b.onStart(() => { if (!watch) rmSync('dist/dashboard', { recursive: true, force: true }); });
    b.onEnd(() => {
      mkdirSync('dist/dashboard', { recursive: true });
      copyFileSync('src/dashboard/index.html', 'dist/dashboard/index.html');
    });
  },
};
if (existsSync(dashboard.entryPoints[0])) builds.push({ ...dashboard, plugins: [zodEnglishOnly, dashboardFiles] });
if (only === 'dashboard') builds.splice(0, builds.length, ...builds.filter((o) => o.outfile === dashboard.outfile));

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('build: watching');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`build: ${production ? 'production' : 'development'} bundles written to dist/`);
}
