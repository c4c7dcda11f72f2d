// Fails the test run when a layer imports what it must not: src/core, src/server and src/cli never import 'vscode'.
// The ESLint rule says the same; this check is independent of lint configuration so it cannot erode silently.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const forbidden = /(?:import\s[^'"]*from\s*|import\s*\(\s*|require\s*\(\s*)['"]vscode['"]/;
const roots = ['src/core', 'src/server', 'src/cli'];
const offenders = [];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|js|mjs|cjs)$/.test(name) && forbidden.test(readFileSync(path, 'utf8'))) offenders.push(path);
  }
}
for (const root of roots) {
  try { walk(root); } catch (e) { if (e.code !== 'ENOENT') throw e; }
}
if (offenders.length) {
  console.error(`check-layers: these files import 'vscode' but live in a VS Code-free layer:\n  ${offenders.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-layers: ok (${roots.join(', ')} are free of 'vscode')`);
