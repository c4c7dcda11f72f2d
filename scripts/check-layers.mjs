// Fails the test run when a layer imports what it must not: src/core, src/server and src/cli never import 'vscode'.
// The ESLint rule says the same; this check is independent of lint configuration so it cannot erode silently.
import { readFileSync } from 'node:fs';
import { listFiles } from './list-files.mjs';

const forbidden = /(?:import\s[^'"]*from\s*|import\s*\(\s*|require\s*\(\s*)['"]vscode['"]/;
const roots = ['src/core', 'src/server', 'src/cli'];
const offenders = roots
  .flatMap((root) => listFiles(root, (name) => /\.(ts|js|mjs|cjs)$/.test(name)))
  .filter((path) => forbidden.test(readFileSync(path, 'utf8')));
if (offenders.length) {
  console.error(`check-layers: these files import 'vscode' but live in a VS Code-free layer:\n  ${offenders.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-layers: ok (${roots.join(', ')} are free of 'vscode')`);
