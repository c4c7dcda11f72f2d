// One build script for every bundle: the extension (CJS, VS Code host), the `oel` CLI (CJS, Node) and the webview
// scripts (browser IIFE). esbuild does not type-check; `npm run typecheck` does that.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('build: watching');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`build: ${production ? 'production' : 'development'} bundles written to dist/`);
}
