// Runs node's built-in test runner over every *.test.ts under the given folders, with tsx as the TypeScript loader.
// Node 20's --test does not expand globs or pick up .ts files by itself, so the files are listed here.
import { listFiles } from './list-files.mjs';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

const args = process.argv.slice(2);
const dirs = args.filter((a) => !a.startsWith('--'));
const passthrough = args.filter((a) => a.startsWith('--'));
// A folder contributes its *.test.ts files; a file given by name runs alone (handy while working on one test).
const files = dirs.flatMap((dir) => (statSync(dir).isFile() ? [dir] : listFiles(dir, (name) => name.endsWith('.test.ts'))));
if (files.length === 0) {
  console.error(`run-node-tests: no *.test.ts files under ${dirs.join(', ')}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...passthrough, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
